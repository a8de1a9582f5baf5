/*
 * lib/read/read_tap.c: Test Anything Protocol streams (TAP 12, 13 and 14).
 *
 * Lines are read one at a time; the only test held is the last test
 * point, until the next line shows whether a YAML diagnostics block
 * follows it, so memory is bounded by one test and its block.
 *
 * - "ok" is passed, "not ok" failed; "# SKIP" makes either skipped and
 *   "# TODO" pending (CTRF has no "todo": a TODO test is work not yet
 *   done), with rawStatus "todo", or "todo passed" for an "ok".
 * - A test's name is its description without a leading "- ", else
 *   "test N".  Subtests (TAP 14's indented "# Subtest: name" with the
 *   child's plan and points) give their points a suite path of the
 *   subtest names; the parent's own point that closes a subtest is not a
 *   test of its own unless it failed with no failed test inside.
 * - A YAML block ("  ---" to "  ...", at most TAP_YAML_MAX bytes) gives
 *   the message ("message"), "severity" as a property, the position
 *   ("at" with "file" and "line", or "file" and "line") and the trace
 *   ("stack", else the block itself).  A block libyaml refuses is kept
 *   as the trace.
 * - Nothing that failed is lost: "Bail out! REASON" becomes a failed
 *   test "(bail out) REASON" (rawStatus "bail out") and the rest of the
 *   input is ignored, as harnesses do; a plan that does not match the
 *   points, or no plan at all, becomes a failed test "(plan) expected N
 *   tests, got M" or "(plan) no plan, got M tests" (rawStatus "plan") in
 *   the suite of the (sub)test concerned.  "1..0 # SKIP reason" is a
 *   skipped "(plan) skip all".
 * - Other lines (comments, a producer's own output) are ignored.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "yamltree.h"

#define TAP_DEPTH	32		/* subtest levels kept */
#define TAP_YAML_MAX	(1u << 20)	/* one diagnostics block */
#define TAP_LINE_MAX	(1u << 20)

struct tap_level {
	size_t		 indent;
	char		*name;		/* the subtest's, NULL at the top */
	long		 plan;		/* -1: none seen */
	int		 skip_all;
	long		 count;		/* points seen */
	long		 failed;	/* failed records sent in it */
};

struct tap {
	struct tally_sink *sink;
	struct tally_error *err;
	struct tally_src *src;
	struct tap_level lv[TAP_DEPTH];
	int		 n;		/* levels open */
	char		*subtest;	/* "# Subtest:" name for the next level */
	/* The pending point. */
	int		 have;
	int		 level;
	long		 line;
	enum tally_status status;
	const char	*raw;
	char		*name;
	char		*directive;	/* reason after SKIP/TODO */
	int		 closes;	/* closes a subtest that had no failure */
	struct tally_buf yaml;
	size_t		 yindent;
	int		 inyaml, ytrunc;
	int		 bailed;
};

static int
nomem(struct tap *t)
{
	return tally_error_set(t->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static void
suite_path(struct tap *t, int level, const char **path, size_t *np)
{
	int i;

	*np = 0;
	for (i = 1; i <= level && i < t->n; i++)
		if (t->lv[i].name != NULL)
			path[(*np)++] = t->lv[i].name;
}

static int
emit_test(struct tap *t, int level, const char *name, enum tally_status st,
    const char *raw, const char *msg, long line)
{
	struct tally_record rec;
	const char *path[TAP_DEPTH];

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = t->src->name;
	suite_path(t, level, path, &rec.u.test.nsuite);
	rec.u.test.suite = path;
	rec.u.test.name = name;
	rec.u.test.status = st;
	rec.u.test.raw_status = raw;
	rec.u.test.message = msg;
	rec.u.test.line = line;
	if (st == TALLY_FAILED && level < t->n)
		t->lv[level].failed++;
	return tally_sink_record(t->sink, &rec, t->err);
}

static const struct ynode *
ykey(const struct ynode *m, const char *key)
{
	size_t i;

	if (m == NULL || m->type != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->type == Y_SCALAR &&
		    strcmp(m->kids[i]->s, key) == 0)
			return m->kids[i + 1];
	return NULL;
}

static const char *
yscalar(const struct ynode *m, const char *key)
{
	const struct ynode *v = ykey(m, key);

	return v != NULL && v->type == Y_SCALAR ? v->s : NULL;
}

/* Send the pending point, with what its YAML block says. */
static int
flush_point(struct tap *t)
{
	struct tally_record rec;
	struct tally_kv prop;
	struct tally_error yerr;
	struct ynode *y = NULL;
	const struct ynode *at;
	const char *path[TAP_DEPTH], *s, *msg;
	int rc;

	if (!t->have)
		return TALLY_OK;
	t->have = 0;
	if (t->closes) {
		/* A passing subtest's own point, or one already told. */
		rc = TALLY_OK;
		goto out;
	}
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = t->src->name;
	suite_path(t, t->level, path, &rec.u.test.nsuite);
	rec.u.test.suite = path;
	rec.u.test.name = t->name;
	rec.u.test.status = t->status;
	rec.u.test.raw_status = t->raw;
	rec.u.test.line = 0;
	msg = t->directive;
	if (t->yaml.len > 0) {
		if (yaml_tree(t->yaml.data, t->yaml.len, &y, &yerr) != TALLY_OK)
			y = NULL;
		/* node:test says "error", "name" and "duration_ms". */
		if (((s = yscalar(y, "message")) != NULL ||
		    (s = yscalar(y, "error")) != NULL) && *s != '\0')
			msg = s;
		rec.u.test.type = yscalar(y, "name");
		if ((s = yscalar(y, "duration_ms")) != NULL)
			rec.u.test.duration = tally_bound_ms(t->src, t->line,
			    strtod(s, NULL));
		if ((s = yscalar(y, "severity")) != NULL) {
			prop.key = "severity";
			prop.value = s;
			rec.u.test.properties = &prop;
			rec.u.test.nproperties = 1;
		}
		at = ykey(y, "at");
		if ((s = yscalar(at, "file")) != NULL ||
		    (s = yscalar(y, "file")) != NULL)
			rec.u.test.file_path = s;
		if ((s = yscalar(at, "line")) != NULL ||
		    (s = yscalar(y, "line")) != NULL)
			rec.u.test.line = strtol(s, NULL, 10) > 0 &&
			    strtol(s, NULL, 10) < 100000000 ?
			    strtol(s, NULL, 10) : 0;
		if ((s = yscalar(y, "stack")) != NULL)
			rec.u.test.trace = s;
		else
			rec.u.test.trace = t->yaml.data;
	}
	rec.u.test.message = msg;
	if (t->status == TALLY_FAILED && t->level < t->n)
		t->lv[t->level].failed++;
	rc = tally_sink_record(t->sink, &rec, t->err);
	ynode_free(y);
out:
	free(t->name);
	free(t->directive);
	t->name = t->directive = NULL;
	tally_buf_reset(&t->yaml);
	t->inyaml = t->ytrunc = 0;
	return rc;
}

/* The end of level i: its plan checked, its name dropped. */
static int
close_level(struct tap *t, int i)
{
	struct tally_buf b;
	struct tap_level *l = &t->lv[i];
	int rc = TALLY_OK;

	tally_buf_init(&b);
	if (!t->bailed && !l->skip_all && (l->plan < 0 || l->plan != l->count)) {
		if (l->plan < 0)
			rc = tally_buf_printf(&b, "(plan) no plan, got %ld "
			    "test%s", l->count, l->count == 1 ? "" : "s");
		else
			rc = tally_buf_printf(&b, "(plan) expected %ld test%s, "
			    "got %ld", l->plan, l->plan == 1 ? "" : "s",
			    l->count);
		if (rc != TALLY_OK)
			rc = nomem(t);
		else
			rc = emit_test(t, i, b.data, TALLY_FAILED, "plan",
			    b.data, 0);
	}
	tally_buf_free(&b);
	return rc;
}

/*
 * Pop levels deeper than indent, checking each one's plan; *failed gets
 * the failed records sent in them.
 */
static int
pop_to(struct tap *t, size_t indent, long *failed)
{
	int rc;

	*failed = 0;
	while (t->n > 1 && t->lv[t->n - 1].indent > indent) {
		if ((rc = flush_point(t)) != TALLY_OK)
			return rc;
		if ((rc = close_level(t, t->n - 1)) != TALLY_OK)
			return rc;
		t->n--;
		*failed += t->lv[t->n].failed;
		free(t->lv[t->n].name);
		t->lv[t->n].name = NULL;
	}
	return TALLY_OK;
}

static int
push_level(struct tap *t, size_t indent)
{
	struct tap_level *l;

	if (t->n >= TAP_DEPTH)
		return tally_error_set(t->err, TALLY_EPARSE, t->src->line, 0,
		    "subtests nested deeper than %d levels", TAP_DEPTH);
	l = &t->lv[t->n++];
	memset(l, 0, sizeof(*l));
	l->indent = indent;
	l->plan = -1;
	l->name = t->subtest != NULL ? t->subtest : strdup("(subtest)");
	t->subtest = NULL;
	return l->name == NULL ? nomem(t) : TALLY_OK;
}

static int
starts(const char *s, const char *w)
{
	return strncmp(s, w, strlen(w)) == 0;
}

/* Split a description at an unescaped " # "; the directive into *dir. */
static char *
directive(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '#') {
			*p = '\0';
			return p + 1;
		}
	}
	return NULL;
}

/* "\\#" is "#", "\\\\" is "\\" in a description. */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && (s[1] == '#' || s[1] == '\\'))
			s++;
		*d++ = *s;
	}
	*d = '\0';
}

static void
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static int
on_point(struct tap *t, int ok, char *p, int closing)
{
	struct tap_level *l = &t->lv[t->n - 1];
	char *dir, *desc, *reason = NULL;
	long num = -1;
	int rc;

	if ((rc = flush_point(t)) != TALLY_OK)
		return rc;
	/* A point at the announced subtest's own level ends it. */
	free(t->subtest);
	t->subtest = NULL;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p)) {
		num = strtol(p, &p, 10);
		while (*p == ' ')
			p++;
	}
	if (*p == '-' && (p[1] == ' ' || p[1] == '\0'))
		p += p[1] ? 2 : 1;
	desc = p;
	dir = directive(desc);
	trim(desc);
	unescape(desc);
	/* Test2's buffered subtest: "ok 2 - name {" ... "}". */
	if (strlen(desc) >= 2 && strcmp(desc + strlen(desc) - 2, " {") == 0) {
		desc[strlen(desc) - 2] = '\0';
		if ((t->subtest = strdup(desc)) == NULL)
			return nomem(t);
	}
	l->count++;
	t->have = 1;
	t->level = t->n - 1;
	t->line = t->src->line;
	t->status = ok ? TALLY_PASSED : TALLY_FAILED;
	t->raw = ok ? "ok" : "not ok";
	if (dir != NULL) {
		while (*dir == ' ')
			dir++;
		if (strncasecmp(dir, "skip", 4) == 0) {
			t->status = TALLY_SKIPPED;
			t->raw = "skip";
			reason = dir + 4;
		} else if (strncasecmp(dir, "todo", 4) == 0) {
			t->status = TALLY_PENDING;
			t->raw = ok ? "todo passed" : "todo";
			reason = dir + 4;
		}
		if (reason != NULL) {
			while (isalpha((unsigned char)*reason))
				reason++;
			while (*reason == ' ' || *reason == ':')
				reason++;
			trim(reason);
			if (*reason != '\0' &&
			    (t->directive = strdup(reason)) == NULL)
				return nomem(t);
		}
	}
	if (*desc != '\0')
		t->name = strdup(desc);
	else if (num >= 0) {
		if ((t->name = malloc(32)) != NULL)
			snprintf(t->name, 32, "test %ld", num);
	} else {
		if ((t->name = malloc(32)) != NULL)
			snprintf(t->name, 32, "test %ld", l->count);
	}
	if (t->name == NULL)
		return nomem(t);
	/*
	 * The point after a subtest stands for it: not a test of its own,
	 * unless it failed and nothing inside said why.
	 */
	t->closes = closing && !(t->status == TALLY_FAILED && closing > 0);
	return TALLY_OK;
}

static int
on_line(struct tap *t, char *s)
{
	size_t ind = 0, i;
	char *p;
	int rc, closing;

	/* A YAML block after the pending point. */
	if (t->inyaml) {
		for (i = 0; s[i] == ' '; i++)
			;
		if (strcmp(s + i, "...") == 0 && i == t->yindent) {
			t->inyaml = 0;
			return TALLY_OK;
		}
		if (!t->ytrunc) {
			size_t cut = i < t->yindent ? i : t->yindent;

			if (t->yaml.len + strlen(s + cut) + 1 > TAP_YAML_MAX)
				t->ytrunc = 1;
			else if (tally_buf_adds(&t->yaml, s + cut) != TALLY_OK ||
			    tally_buf_addc(&t->yaml, '\n') != TALLY_OK)
				return nomem(t);
		}
		return TALLY_OK;
	}
	while (s[ind] == ' ' || s[ind] == '\t')
		ind++;
	p = s + ind;
	trim(p);
	if (*p == '\0')
		return TALLY_OK;
	if (t->have && strcmp(p, "---") == 0 && ind > t->lv[t->level].indent) {
		t->inyaml = 1;
		t->yindent = ind;
		return TALLY_OK;
	}
	if (starts(p, "Bail out!")) {
		if ((rc = flush_point(t)) != TALLY_OK)
			return rc;
		p += 9;
		while (*p == ' ')
			p++;
		t->bailed = 1;
		{
			struct tally_buf b;

			tally_buf_init(&b);
			if (tally_buf_printf(&b, "(bail out)%s%s", *p ? " " : "",
			    p) != TALLY_OK)
				return nomem(t);
			rc = emit_test(t, 0, b.data, TALLY_FAILED, "bail out",
			    *p ? p : NULL, 0);
			tally_buf_free(&b);
		}
		return rc;
	}
	if (strcmp(p, "}") == 0 && ind < t->lv[t->n - 1].indent) {
		long inner;

		/* The end of a buffered subtest. */
		return pop_to(t, ind, &inner);
	}
	if (starts(p, "# Subtest:")) {
		/* A child's own subtest: the child starts here. */
		if (ind > t->lv[t->n - 1].indent && t->subtest != NULL &&
		    ((rc = flush_point(t)) != TALLY_OK ||
		    (rc = push_level(t, ind)) != TALLY_OK))
			return rc;
		p += 10;
		while (*p == ' ')
			p++;
		free(t->subtest);
		if ((t->subtest = strdup(p)) == NULL)
			return nomem(t);
		return TALLY_OK;
	}
	if (!starts(p, "ok") && !starts(p, "not ok") &&
	    !(starts(p, "1..") && isdigit((unsigned char)p[3])))
		return TALLY_OK;
	if (starts(p, "ok") && p[2] != '\0' && p[2] != ' ')
		return TALLY_OK;
	if (starts(p, "not ok") && p[6] != '\0' && p[6] != ' ')
		return TALLY_OK;
	/* Indentation says which level the line belongs to. */
	closing = 0;
	if (ind > t->lv[t->n - 1].indent) {
		if ((rc = flush_point(t)) != TALLY_OK ||
		    (rc = push_level(t, ind)) != TALLY_OK)
			return rc;
	} else if (ind < t->lv[t->n - 1].indent) {
		long inner;

		if ((rc = pop_to(t, ind, &inner)) != TALLY_OK)
			return rc;
		/* -1: failures inside were told; 1: none were. */
		closing = inner > 0 ? -1 : 1;
	}
	if (starts(p, "1..")) {
		struct tap_level *l = &t->lv[t->n - 1];
		char *d;

		if ((rc = flush_point(t)) != TALLY_OK)
			return rc;
		l->plan = strtol(p + 3, NULL, 10);
		if (l->plan < 0)
			l->plan = 0;
		if (l->plan == 0 && (d = strchr(p, '#')) != NULL) {
			d++;
			while (*d == ' ')
				d++;
			if (strncasecmp(d, "skip", 4) == 0) {
				l->skip_all = 1;
				d += 4;
				while (*d == ' ' || *d == ':')
					d++;
				return emit_test(t, t->n - 1,
				    "(plan) skip all", TALLY_SKIPPED, "skip",
				    *d ? d : NULL, 0);
			}
		}
		return TALLY_OK;
	}
	if (starts(p, "not ok"))
		return on_point(t, 0, p + 6, closing);
	return on_point(t, 1, p + 2, closing);
}

int
tally_read_tap(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct tally_buf line;
	struct tap t;
	long inner;
	int rc, st = TALLY_OK;

	memset(&t, 0, sizeof(t));
	t.sink = sink;
	t.err = err;
	t.src = src;
	t.n = 1;
	t.lv[0].plan = -1;
	tally_buf_init(&line);
	tally_buf_init(&t.yaml);
	while ((rc = tally_src_getline(src, &line, TAP_LINE_MAX)) == 1) {
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			line.data[--line.len] = '\0';
		if (t.bailed)
			continue;
		if (memchr(line.data, '\0', line.len) != NULL) {
			st = tally_error_set(err, TALLY_EPARSE, src->line, 0,
			    "NUL character in a line");
			break;
		}
		if ((st = on_line(&t, line.data)) != TALLY_OK)
			break;
	}
	if (st == TALLY_OK && rc < 0)
		st = rc == TALLY_ELIMIT ? tally_error_set(err, TALLY_EPARSE,
		    src->line + 1, 0, "line longer than %u bytes",
		    TAP_LINE_MAX) : tally_error_set(err, TALLY_EIO, 0, 0,
		    "read error");
	if (st == TALLY_OK)
		st = pop_to(&t, 0, &inner);
	if (st == TALLY_OK)
		st = flush_point(&t);
	if (st == TALLY_OK)
		st = close_level(&t, 0);
	tally_buf_free(&line);
	tally_buf_free(&t.yaml);
	flush_point(&t);
	while (t.n > 0)
		free(t.lv[--t.n].name);
	free(t.subtest);
	free(t.name);
	free(t.directive);
	return st;
}
