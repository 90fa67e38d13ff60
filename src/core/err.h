/* The one error table. X(NAME, http_status, "message") generates the error enum, its HTTP status
 * and its text. Messages are Magento 2.4's raw phrases: placeholders (%1, %fieldName) stay in the
 * text and their values travel separately as "parameters", exactly as Magento's REST errors do.
 * Fallible functions return enum err; ERR_OK is 0. */
#ifndef SG_CORE_ERR_H
#define SG_CORE_ERR_H

/* clang-format off */
#define SG_ERRORS(X)                                                                              \
    X(OK,                 200, "")                                                                \
    X(NO_ROUTE,           404, "Request does not match any route.")                               \
    X(BAD_REQUEST_PATH,   400, "Specified request cannot be processed.")                          \
    X(METHOD_NOT_ALLOWED, 405, "The %1 HTTP method is not supported.")                            \
    X(NOT_AUTHORIZED,     401, "The consumer isn't authorized to access %resources.")             \
    X(SIGN_IN,            401, "The account sign-in was incorrect or your account is disabled "   \
                               "temporarily. Please wait and try again later.")                   \
    X(REQUIRED_FIELD,     400, "\"%fieldName\" is required. Enter and try again.")                \
    X(INPUT_ERRORS,       400, "One or more input exceptions have occurred.")                     \
    X(INVALID_TYPE,       400, "The \"%value\" value's type is invalid. The \"%type\" type was "  \
                               "expected. Verify and try again.")                                 \
    X(FIELD_NOT_SUPPORTED,400, "\"%fieldName\" is not supported. Correct the field name and try " \
                               "again.")                                                          \
    X(DECODING,           400, "Decoding error.")                                                 \
    X(CT_EMPTY,           400, "Content-Type header is empty.")                                   \
    X(CT_INVALID,         400, "Content-Type header is invalid.")                                 \
    X(CT_CHARSET,         400, "UTF-8 is the only supported charset.")                            \
    X(CT_MEDIA,           400, "Server cannot understand Content-Type HTTP header media type %1") \
    X(NOT_ACCEPTABLE,     406, "Server cannot match any of the given Accept HTTP header media "   \
                               "type(s) from the request: \"%1\" with media types from the "      \
                               "config of response renderer.")                                    \
    X(BODY_TOO_LARGE,     413, "The request body is larger than the limit of %1 bytes.")          \
    X(URI_TOO_LONG,       414, "The request URL is longer than the limit of %1 bytes.")           \
    X(HEADERS_TOO_LARGE,  431, "The request headers are larger than the limit of %1 bytes.")      \
    X(BAD_ENCODING,       400, "The request URL is not valid UTF-8 or contains a NUL byte.")      \
    X(NO_SUCH_ENTITY,     404, "No such entity with %fieldName = %fieldValue")                    \
    X(INTERNAL,           500, "Internal Error. Details are available in the storegate log. "     \
                               "Report ID: %1")                                                   \
    X(UNAVAILABLE,        503, "The store database is unavailable. Please try again later.")      \
    X(DB,                 500, "A database operation failed.")                                    \
    X(DB_BUSY,            503, "The store database is busy. Please try again later.")             \
    X(DB_CONSTRAINT,      400, "A record with the same unique value already exists.")             \
    X(IO,                 500, "A file operation failed.")                                        \
    X(CRYPTO,             500, "A cryptographic operation failed.")                               \
    X(CONFIG,             400, "The configuration value is invalid.")                             \
    X(NOT_FOUND,          404, "The requested record does not exist.")                            \
    X(EXISTS,             400, "The record already exists.")                                      \
    X(INVALID,            400, "The value is invalid.")                                          \
    X(FORM_KEY,           403, "Invalid Form Key. Please refresh the page.")                      \
    /* OAuth 1.0a provider (reference section 4.3, Magento 2.4 wording) */                        \
    X(OAUTH_VERSION,      400, "The \"%1\" Oauth version isn't supported.")                      \
    X(OAUTH_TOKEN_LENGTH, 400, "The token length is invalid. Check the length and try again.")    \
    X(OAUTH_SIG_METHOD,   400, "Signature method %1 is not supported")                            \
    X(OAUTH_KEY_LENGTH,   401, "Consumer key is not the correct length")                          \
    X(OAUTH_NO_CONSUMER,  401, "A consumer having the specified key does not exist")              \
    X(OAUTH_NONCE,        401, "An error occurred validating the nonce")                          \
    X(OAUTH_NONCE_USED,   401, "The nonce is already being used by the consumer with ID %1")      \
    X(OAUTH_EXPIRED,      401, "Consumer key has expired")                                        \
    X(OAUTH_SIGNATURE,    401, "The signature is invalid. Verify and try again.")                 \
    X(OAUTH_NO_TOKEN_FOR, 401, "A token with consumer ID %1 does not exist")                      \
    X(OAUTH_NOT_VERIFIER, 401, "Cannot create request token because consumer token is not a "     \
                               "verifier token")                                                  \
    X(OAUTH_NO_TOKEN,     401, "Specified token does not exist")                                  \
    X(OAUTH_REQ_OTHER,    401, "Request token is not associated with the specified consumer")    \
    X(OAUTH_TOKEN_USED,   401, "Token is already being used")                                     \
    X(OAUTH_VERIFIER,     401, "Verifier is invalid")                                             \
    X(OAUTH_VERIFIER_LEN, 401, "Verifier is not the correct length")                              \
    X(OAUTH_VERIFIER_BAD, 401, "Token verifier and verifier token do not match")                  \
    X(OAUTH_NOT_REQUEST,  401, "Cannot get access token because consumer token is not a request " \
                               "token")                                                           \
    X(OAUTH_TOKEN_OTHER,  401, "Token is not associated with the specified consumer")             \
    X(OAUTH_NOT_ACCESS,   401, "Token is not an access token")                                    \
    X(OAUTH_REVOKED,      401, "Access token has been revoked")
/* clang-format on */

enum err {
#define SG_ERR_ENUM(name, status, msg) ERR_##name,
    SG_ERRORS(SG_ERR_ENUM)
#undef SG_ERR_ENUM
        ERR__COUNT
};

/* HTTP status of an error (500 for an unknown value). */
int err_status(enum err e);
/* Magento's raw message phrase (placeholders unsubstituted). */
const char *err_message(enum err e);
/* The symbolic name, e.g. "NO_ROUTE" (for logs). */
const char *err_name(enum err e);

#endif
