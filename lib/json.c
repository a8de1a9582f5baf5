/* lib/json.c: cJSON behind the checks hostile input needs. */
#include <math.h>
#include <string.h>

#include <cJSON.h>

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
check(const cJSON *j, int depth, const char **why)
{
	const cJSON *c, *d;

	if (depth > TALLY_MAX_DEPTH) {
		*why = "nesting too deep";
		return -1;
	}
	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) {
		*why = "number out of range";
		return -1;
	}
	for (c = j->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(j) && c->string != NULL)
			for (d = c->next; d != NULL; d = d->next)
				if (d->string && strcmp(d->string, c->string) == 0) {
					*why = "duplicate key";
					return -1;
				}
		if (check(c, depth + 1, why) != 0)
			return -1;
	}
	return 0;
}

int
tally_json_parse(const char *buf, size_t len, long first_line,
    struct cJSON **out, struct tally_error *err)
{
	const char *end = NULL, *why = NULL, *nul;
	long line, col;
	cJSON *j;

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
	if (check(j, 0, &why) != 0) {
		cJSON_Delete(j);
		return tally_error_set(err, TALLY_EPARSE, first_line, 0, "%s",
		    why);
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
