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

/*
 * Offset of the first \u0000 escape in JSON text that cJSON accepted,
 * else -1.  A backslash starts an escape unless an odd run of
 * backslashes comes before it; valid JSON has none outside strings.
 */
static size_t
nul_escape(const char *buf, size_t len)
{
	const char *p = buf, *e = buf + len, *q, *run;

	while ((q = memmem(p, (size_t)(e - p), "\\u0000", 6)) != NULL) {
		for (run = q; run > buf && run[-1] == '\\'; run--)
			;
		if ((q - run) % 2 == 0)
			return (size_t)(q - buf);
		p = q + 1;
	}
	return (size_t)-1;
}

/*
 * Offset of the bracket that opens nesting level TALLY_MAX_DEPTH + 1 in
 * the first len bytes, else -1.  The bytes must be valid JSON up to
 * there, so strings are told apart from structure.
 */
static size_t
too_deep(const char *buf, size_t len)
{
	size_t i;
	int depth = 0, instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				instr = 0;
		} else if (buf[i] == '"')
			instr = 1;
		else if (buf[i] == '[' || buf[i] == '{') {
			if (++depth > TALLY_MAX_DEPTH)
				return i;
		} else if (buf[i] == ']' || buf[i] == '}')
			depth--;
	}
	return (size_t)-1;
}

static int
check(const cJSON *j, int depth, const char **why, const char **key)
{
	const cJSON *c;
	int nomem = 0;

	/* The root is at depth 0 and opens level 1. */
	if ((cJSON_IsArray(j) || cJSON_IsObject(j)) &&
	    depth >= TALLY_MAX_DEPTH) {
		*why = TALLY_JSON_DEEP;
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
	size_t at;
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
		/* cJSON gives up at 1000 levels: name the real limit. */
		if ((at = too_deep(buf, off < len ? off + 1 : len)) !=
		    (size_t)-1) {
			locate(buf, at, first_line, &line, &col);
			return tally_error_set(err, TALLY_EPARSE, line, col,
			    "%s", TALLY_JSON_DEEP);
		}
		locate(buf, off, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col,
		    off >= len ? "unexpected end of JSON" : "invalid JSON");
	}
	/* cJSON cuts a string at \u0000: "a\u0000b" would read as "a". */
	if ((at = nul_escape(buf, len)) != (size_t)-1) {
		cJSON_Delete(j);
		locate(buf, at, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col, "%s",
		    TALLY_JSON_NUL);
	}
	if ((rc = check(j, 0, &why, &key)) != TALLY_OK) {
		struct tally_buf k;

		if (strcmp(why, TALLY_JSON_DEEP) == 0 &&
		    (at = too_deep(buf, len)) != (size_t)-1) {
			cJSON_Delete(j);
			locate(buf, at, first_line, &line, &col);
			return tally_error_set(err, rc, line, col, "%s", why);
		}
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
