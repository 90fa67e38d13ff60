/* storegate: the server and the command line in one binary. main() only hands over argv. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
