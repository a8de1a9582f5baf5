/* lib/json.c: cJSON behind the checks hostile input needs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "escape.h"
#include "internal.h"

/* Line and column of byte off in buf, the line counted from first. */
static void
locate(const char *buf, size_t off, long first, long *line, long *col)
{
	size_t i, bol = 0;

	*line = first;
	for (i = 0; i < off; i++)
		if (buf[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (long)(off - bol) + 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A member name used twice in object j, else NULL; *nomem set when the
 * scratch array could not be had.  Sorting keeps an object with many
 * members from costing quadratic time.
 */
static const char *
duplicate(const cJSON *j, int *nomem)
{
	const cJSON *c;
	const char **names, *dup = NULL;
	size_t n = 0, i;

	for (c = j->child; c != NULL; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	if ((names = malloc(n * sizeof(*names))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (i = 0, c = j->child; c != NULL; c = c->next)
		names[i++] = c->string != NULL ? c->string : "";
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			dup = names[i];
	free(names);
	return dup;
}

static int
check(const cJSON *j, int depth, const char **why, const char **key)
{
	const cJSON *c;
	int nomem = 0;

	if (depth > TALLY_MAX_DEPTH) {
		*why = "nesting too deep";
		return TALLY_EPARSE;
	}
	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) {
		*why = "number out of range";
		return TALLY_EPARSE;
	}
	if (cJSON_IsObject(j) && (*key = duplicate(j, &nomem)) != NULL) {
		*why = "duplicate key";
		return TALLY_EPARSE;
	}
	if (nomem) {
		*why = "out of memory";
		return TALLY_ENOMEM;
	}
	for (c = j->child; c != NULL; c = c->next) {
		int rc;

		if ((rc = check(c, depth + 1, why, key)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

int
tally_json_parse(const char *buf, size_t len, long first_line,
    struct cJSON **out, struct tally_error *err)
{
	const char *end = NULL, *why = NULL, *key = NULL, *nul;
	long line, col;
	cJSON *j;
	int rc;

	*out = NULL;
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		locate(buf, (size_t)(nul - buf), first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col,
		    "NUL byte in JSON");
	}
	j = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
	if (j == NULL) {
		size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;

		if (off > len)
			off = len;
		locate(buf, off, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col,
		    off >= len ? "unexpected end of JSON" : "invalid JSON");
	}
	if ((rc = check(j, 0, &why, &key)) != TALLY_OK) {
		struct tally_buf k;

		/* The key is data: no raw control characters in messages. */
		tally_buf_init(&k);
		if (key != NULL && tally_esc_term_line(&k, key, strlen(key)) ==
		    TALLY_OK && k.data != NULL)
			tally_error_set(err, rc, first_line, 0, "%s '%s'", why,
			    k.data);
		else
			tally_error_set(err, rc, first_line, 0, "%s", why);
		tally_buf_free(&k);
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return TALLY_OK;
}

const char *
tally_json_str(const struct cJSON *obj, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(c) ? c->valuestring : NULL;
}

int
tally_json_num(const struct cJSON *obj, const char *key, double *out)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
		return -1;
	*out = c->valuedouble;
	return 0;
}
