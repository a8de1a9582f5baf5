/*
 * lib/read/csv.c: RFC 4180 rows for the CSV readers (see csv.h).
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void
tally_csv_init(struct tally_csv *c, struct tally_src *src)
{
	memset(c, 0, sizeof(*c));
	c->src = src;
	tally_buf_init(&c->line);
	tally_buf_init(&c->row);
}

void
tally_csv_free(struct tally_csv *c)
{
	tally_buf_free(&c->line);
	tally_buf_free(&c->row);
	free(c->off);
	c->off = NULL;
}

/* Start a field at the end of the row buffer. */
static int
field_begin(struct tally_csv *c)
{
	if (c->noff == c->capoff) {
		size_t n = c->capoff ? c->capoff * 2 : 32;
		size_t *p;

		if (c->noff >= CSV_MAX_FIELDS)
			return TALLY_ELIMIT;
		if ((p = realloc(c->off, n * sizeof(*p))) == NULL)
			return TALLY_ENOMEM;
		c->off = p;
		c->capoff = n;
	}
	c->off[c->noff] = c->row.len;
	return TALLY_OK;
}

static int
field_end(struct tally_csv *c)
{
	if (tally_buf_addc(&c->row, '\0') != TALLY_OK)
		return TALLY_ENOMEM;
	c->noff++;
	return TALLY_OK;
}

static int
csv_fail(struct tally_csv *c, int rc, struct tally_error *err)
{
	if (rc == TALLY_ELIMIT)
		return tally_error_set(err, rc, c->first, 0,
		    "more than %d fields in a row", CSV_MAX_FIELDS);
	return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
}

int
tally_csv_next(struct tally_csv *c, struct tally_error *err)
{
	int rc, quoted = 0, inq = 0, start = 1;
	size_t i, total = 0;
	const char *s;

	tally_buf_reset(&c->row);
	c->noff = 0;
	for (;;) {
		rc = tally_src_getline(c->src, &c->line, TALLY_MAX_LINE);
		if (rc == TALLY_ELIMIT)
			return tally_error_set(err, rc, c->src->line + 1, 0,
			    "line longer than %u bytes", TALLY_MAX_LINE);
		if (rc < 0)
			return tally_error_set(err, rc, c->src->line + 1, 0,
			    rc == TALLY_EIO ? "read error" : "out of memory");
		if (rc == 0) {
			if (!inq)
				return 0;
			return tally_error_set(err, TALLY_EPARSE, c->first, 0,
			    "quoted field not closed at end of file");
		}
		if (!inq) {
			c->first = c->src->line;
			/* Locust on Windows writes "\r\r\n". */
			while (c->line.len > 0 &&
			    c->line.data[c->line.len - 1] == '\r')
				c->line.data[--c->line.len] = '\0';
			if (c->line.len == 0)
				continue;	/* a blank line is no row */
		} else if (tally_buf_addc(&c->row, '\n') != TALLY_OK)
			return csv_fail(c, TALLY_ENOMEM, err);
		total += c->line.len;
		if (total > TALLY_MAX_LINE)
			return tally_error_set(err, TALLY_ELIMIT, c->first, 0,
			    "row longer than %u bytes", TALLY_MAX_LINE);
		s = c->line.data;
		for (i = 0; i < c->line.len; i++) {
			if (start) {
				if ((rc = field_begin(c)) != TALLY_OK)
					return csv_fail(c, rc, err);
				start = 0;
				quoted = inq = s[i] == '"';
				if (quoted)
					continue;
			}
			if (inq) {
				if (s[i] == '"' && i + 1 < c->line.len &&
				    s[i + 1] == '"')
					i++;
				else if (s[i] == '"') {
					inq = 0;
					continue;
				}
			} else if (s[i] == ',') {
				if ((rc = field_end(c)) != TALLY_OK)
					return csv_fail(c, rc, err);
				start = 1;
				continue;
			} else if (quoted)
				return tally_error_set(err, TALLY_EPARSE,
				    c->src->line, (long)i + 1,
				    "text after a closing quote");
			else if (s[i] == '"')
				return tally_error_set(err, TALLY_EPARSE,
				    c->src->line, (long)i + 1,
				    "quote inside an unquoted field");
			if (tally_buf_addc(&c->row, s[i]) != TALLY_OK)
				return csv_fail(c, TALLY_ENOMEM, err);
		}
		if (inq)
			continue;	/* the quoted field goes on */
		/* The last field, empty after a trailing comma. */
		if (start && (rc = field_begin(c)) != TALLY_OK)
			return csv_fail(c, rc, err);
		if ((rc = field_end(c)) != TALLY_OK)
			return csv_fail(c, rc, err);
		return 1;
	}
}

const char *
tally_csv_get(const struct tally_csv *c, size_t i)
{
	return i < c->noff ? c->row.data + c->off[i] : NULL;
}

