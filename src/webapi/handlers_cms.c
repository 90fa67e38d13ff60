/* Magento_Cms routes (reference section 8.3): GET, POST, PUT and DELETE of /V1/cmsPage and
 * /V1/cmsBlock. Bodies are {"page": {...}} / {"block": {...}}; PUT forces the path id into the
 * object (section 5.2). A save assigns the row to the URL's store view (/rest/all: all store
 * views) unless the body names store_id. */
#include <string.h>

#include "cms/cms.h"
#include "query/search.h"
#include "webapi/api.h"

static void on_free_json(void *p)
{
    json_decref(p);
}

static json_t *own(struct api_req *q, json_t *j)
{
    if (j)
        arena_on_free(q->a, on_free_json, j);
    return j;
}

static bool digits(struct str s, int64_t *id)
{
    if (!s.len || s.len > 18)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return str_to_i64(s, id);
}

/* Magento 2.4's NoSuchEntityException: the page's parameter keeps its integer type, the block's
 * is a string (observed on 2.4.7). */
static enum err not_found(struct api_req *q, enum cms_kind kind, struct str ref)
{
    int64_t id;
    if (kind == CMS_PAGE) {
        json_t *p = digits(ref, &id) ? json_pack("[I]", (json_int_t)id)
                                     : json_pack("[s#]", ref.p ? ref.p : "", ref.len);
        return api_fail_msg(q, ERR_NOT_FOUND, "The CMS page with the \"%1\" ID doesn't exist.", p);
    }
    return api_fail_msg(q, ERR_NOT_FOUND, "The CMS block with the \"%1\" ID doesn't exist.",
                        json_pack("[s#]", ref.p ? ref.p : "", ref.len));
}

static enum err load(struct api_req *q, enum cms_kind kind, struct str ref, json_t **row)
{
    if (!str_utf8_valid(ref))
        return not_found(q, kind, STR_LIT(""));
    enum err e = cms_load(q->w->db, kind, ref, row);
    if (e == ERR_NOT_FOUND)
        return not_found(q, kind, ref);
    if (e)
        return api_fail(q, e);
    own(q, *row);
    return ERR_OK;
}

static enum err get(struct api_req *q, enum cms_kind kind)
{
    json_t *row;
    enum err e = load(q, kind, q->vars[0], &row);
    if (e)
        return e;
    cms_json(kind, row, &q->out);
    return ERR_OK;
}

static enum err remove_(struct api_req *q, enum cms_kind kind)
{
    json_t *row;
    enum err e = load(q, kind, q->vars[0], &row);
    if (e)
        return e;
    int64_t id = json_integer_value(json_object_get(row, "id"));
    e = cms_delete(q->w->db, kind, id);
    if (e == ERR_NOT_FOUND)
        return not_found(q, kind, q->vars[0]);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

/* The value of a type error as Magento prints it: scalars as text, the rest as JSON. */
static enum err type_error(struct api_req *q, json_t *value, const char *type)
{
    json_t *p = json_object();
    if (json_is_string(value)) {
        json_object_set_new(p, "value", json_copy(value));
    } else {
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        json_object_set_new(p, "value", json_string(text ? text : ""));
        free(text);
    }
    json_object_set_new(p, "type", json_string(type));
    return api_fail_list(q, ERR_INVALID_TYPE, p);
}

/* A save-time refusal: pages wrap the reason in "Could not save the page: %1", blocks give it
 * as it is (Magento's PageRepository and BlockRepository). */
static enum err save_refused(struct api_req *q, enum cms_kind kind, const char *reason)
{
    if (kind == CMS_PAGE)
        return api_fail_msg(q, ERR_INVALID, "Could not save the page: %1",
                            json_pack("[s]", reason));
    return api_fail_msg(q, ERR_INVALID, reason, NULL);
}

static enum err problem(struct api_req *q, enum cms_kind kind, enum err e, json_t *input,
                        const struct cms_problem *p)
{
    switch (e) {
    case ERR_FIELD_NOT_SUPPORTED:
        return api_fail_unknown_field(q, p->key);
    case ERR_INVALID_TYPE: {
        json_t *v = json_object_get(input, p->key);
        return type_error(q, v ? v : json_null(), p->type);
    }
    case ERR_REQUIRED_FIELD:
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string(p->key));
    case ERR_INVALID:
        if (p->max)
            return api_fail_msg(q, ERR_INVALID, "\"%fieldName\" is longer than %max characters.",
                                json_pack("{s:s,s:i}", "fieldName", p->key, "max", p->max));
        return save_refused(q, kind, p->message);
    default:
        return api_fail(q, e);
    }
}

static enum err save(struct api_req *q, enum cms_kind kind, const struct str *forced_id)
{
    const char *wrapper = kind == CMS_PAGE ? "page" : "block";
    json_t *in = json_is_object(q->body) ? json_object_get(q->body, wrapper) : NULL;
    if (!in || json_is_null(in))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string(wrapper));
    if (!json_is_object(in))
        return type_error(q, in,
                          kind == CMS_PAGE ? "\\Magento\\Cms\\Api\\Data\\PageInterface"
                                           : "\\Magento\\Cms\\Api\\Data\\BlockInterface");
    json_t *input = own(q, json_copy(in));
    if (forced_id) /* Magento writes the last path variable into the object on PUT */
        json_object_set_new(input, "id", json_stringn(forced_id->p, forced_id->len));

    /* An id means an update of that row: Magento merges the given fields onto it. */
    json_t *old = NULL, *row;
    json_t *idv = json_object_get(input, "id");
    if (idv && !json_is_null(idv)) {
        struct str ref =
            json_is_string(idv) ? str_n(json_string_value(idv), json_string_length(idv)) : STR_NULL;
        int64_t id;
        if (json_is_integer(idv)) {
            id = json_integer_value(idv);
        } else if (!digits(ref, &id)) {
            return type_error(q, idv, "int");
        }
        enum err e = cms_load_id(q->w->db, kind, id, &old);
        if (e == ERR_NOT_FOUND) {
            char n[24];
            snprintf(n, sizeof(n), "%lld", (long long)id);
            return not_found(q, kind, str_c(arena_strdup(q->a, n)));
        }
        if (e)
            return api_fail(q, e);
        own(q, old);
        row = own(q, json_deep_copy(old));
    } else {
        row = own(q, json_object());
    }
    int64_t stores[CMS_MAX_STORES];
    size_t nstores = 0;
    struct cms_problem p;
    bool design = kind != CMS_PAGE || api_allowed(q, STR_LIT("Magento_Cms::save_design"));
    enum err e = cms_apply(kind, row, input, design, stores, &nstores, &p);
    if (e)
        return problem(q, kind, e, input, &p);
    if (old) /* the id stays the loaded one whatever the body's spelling of it */
        json_object_set(row, "id", json_object_get(old, "id"));
    e = cms_validate(kind, row, old, &p);
    if (e)
        return problem(q, kind, e, input, &p);
    for (size_t i = 0; i < nstores; i++)
        if (!store_find_id(q->w->stores, stores[i]))
            return api_fail_msg(q, ERR_INVALID,
                                "The store that was requested wasn't found. Verify the store and "
                                "try again.",
                                NULL);
    if (nstores == 0)
        stores[nstores++] = q->store ? q->store->id : 0;
    e = cms_save(q->w->db, kind, row, stores, nstores);
    if (e == ERR_EXISTS)
        return save_refused(q, kind,
                            kind == CMS_PAGE ? "URL key for specified store already exists."
                                             : "A block identifier with the same properties "
                                               "already exists in the selected store.");
    if (e == ERR_NOT_FOUND)
        return not_found(q, kind, STR_NULL);
    if (e)
        return api_fail(q, e);
    json_t *saved;
    e = cms_load_id(q->w->db, kind, json_integer_value(json_object_get(row, "id")), &saved);
    if (e)
        return api_fail(q, e);
    own(q, saved);
    cms_json(kind, saved, &q->out);
    return ERR_OK;
}

enum err api_cms_page_get(struct api_req *q)
{
    return get(q, CMS_PAGE);
}

enum err api_cms_page_create(struct api_req *q)
{
    return save(q, CMS_PAGE, NULL);
}

enum err api_cms_page_update(struct api_req *q)
{
    return save(q, CMS_PAGE, &q->vars[0]);
}

enum err api_cms_page_delete(struct api_req *q)
{
    return remove_(q, CMS_PAGE);
}

enum err api_cms_block_get(struct api_req *q)
{
    return get(q, CMS_BLOCK);
}

enum err api_cms_block_create(struct api_req *q)
{
    return save(q, CMS_BLOCK, NULL);
}

enum err api_cms_block_update(struct api_req *q)
{
    return save(q, CMS_BLOCK, &q->vars[0]);
}

enum err api_cms_block_delete(struct api_req *q)
{
    return remove_(q, CMS_BLOCK);
}

/* --- GET /V1/cmsPage/search and /V1/cmsBlock/search (searchCriteria) --- */

/* The filterable fields: Magento's flat collections filter on column names (is_active, page_id),
 * and storegate also takes the interface's names (active, id). store_id matches the row's store
 * (the lowest when a row is on several). */
/* clang-format off */
#define PAGE_STORE                                                                                 \
    "CAST((SELECT MIN(s.store_id) FROM cms_page_store s WHERE s.page_id = p.page_id) AS INTEGER)"
#define BLOCK_STORE                                                                                \
    "CAST((SELECT MIN(s.store_id) FROM cms_block_store s WHERE s.block_id = p.block_id) AS INTEGER)"
static const struct sc_field page_search_fields[] = {
    {.name = "id", .expr = "p.page_id", .type = SC_INT, .flags = 0}, {.name = "page_id", .expr = "p.page_id", .type = SC_INT, .flags = 0},
    {.name = "identifier", .expr = "p.identifier", .type = SC_TEXT, .flags = 0}, {.name = "title", .expr = "p.title", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "page_layout", .expr = "p.page_layout", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "meta_title", .expr = "p.meta_title", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "meta_keywords", .expr = "p.meta_keywords", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "meta_description", .expr = "p.meta_description", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "content_heading", .expr = "p.content_heading", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "content", .expr = "p.content", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "creation_time", .expr = "p.creation_time", .type = SC_DATETIME, .flags = 0},
    {.name = "update_time", .expr = "p.update_time", .type = SC_DATETIME, .flags = 0},
    {.name = "sort_order", .expr = "p.sort_order", .type = SC_INT, .flags = 0},
    {.name = "layout_update_xml", .expr = "p.layout_update_xml", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "custom_theme", .expr = "p.custom_theme", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "custom_root_template", .expr = "p.custom_root_template", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "custom_layout_update_xml", .expr = "p.custom_layout_update_xml", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "custom_theme_from", .expr = "p.custom_theme_from", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "custom_theme_to", .expr = "p.custom_theme_to", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "is_active", .expr = "p.is_active", .type = SC_INT, .flags = 0}, {.name = "active", .expr = "p.is_active", .type = SC_INT, .flags = 0},
    {.name = "store_id", .expr = PAGE_STORE, .type = SC_INT, .flags = 0},
};
static const struct sc_field block_search_fields[] = {
    {.name = "id", .expr = "p.block_id", .type = SC_INT, .flags = 0}, {.name = "block_id", .expr = "p.block_id", .type = SC_INT, .flags = 0},
    {.name = "identifier", .expr = "p.identifier", .type = SC_TEXT, .flags = 0}, {.name = "title", .expr = "p.title", .type = SC_TEXT, .flags = 0},
    {.name = "content", .expr = "p.content", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "creation_time", .expr = "p.creation_time", .type = SC_DATETIME, .flags = 0},
    {.name = "update_time", .expr = "p.update_time", .type = SC_DATETIME, .flags = 0},
    {.name = "is_active", .expr = "p.is_active", .type = SC_INT, .flags = 0}, {.name = "active", .expr = "p.is_active", .type = SC_INT, .flags = 0},
    {.name = "store_id", .expr = BLOCK_STORE, .type = SC_INT, .flags = 0},
};
/* clang-format on */
static const struct sc_entity page_search = {
    page_search_fields, sizeof(page_search_fields) / sizeof(page_search_fields[0]), "p.page_id",
    NULL};
static const struct sc_entity block_search = {
    block_search_fields, sizeof(block_search_fields) / sizeof(block_search_fields[0]), "p.block_id",
    NULL};

static enum err list_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)q;
    enum cms_kind kind = *(const enum cms_kind *)arg;
    json_t *r = cms_row_read(kind, row);
    cms_json(kind, r, out);
    json_decref(r);
    return ERR_OK;
}

static const enum cms_kind page_kind = CMS_PAGE, block_kind = CMS_BLOCK;

enum err api_cms_page_search(struct api_req *q)
{
    static const struct api_list l = {
        &page_search,
        "SELECT p.page_id, p.identifier, p.title, p.page_layout, p.meta_title, p.meta_keywords,"
        " p.meta_description, p.content_heading, p.content, p.creation_time, p.update_time,"
        " p.sort_order, p.layout_update_xml, p.custom_theme, p.custom_root_template,"
        " p.custom_layout_update_xml, p.custom_theme_from, p.custom_theme_to, p.is_active"
        " FROM cms_page p",
        "FROM cms_page p",
        list_item,
        (void *)&page_kind,
        NULL,
        false};
    return api_list(q, &l);
}

enum err api_cms_block_search(struct api_req *q)
{
    static const struct api_list l = {
        &block_search,
        "SELECT p.block_id, p.identifier, p.title, p.content, p.creation_time, p.update_time,"
        " p.is_active FROM cms_block p",
        "FROM cms_block p",
        list_item,
        (void *)&block_kind,
        NULL,
        false};
    return api_list(q, &l);
}
