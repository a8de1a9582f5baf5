/*
 * lib/organize/rules.c: the organize rules: a YAML file read into a tree
 * (lib/organize/yamltree.c), checked against the schema of tally-rules(5), and
 * PCRE2 patterns compiled and run with limits.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <tally/rules.h>

#include "escape.h"
#include "internal.h"
#include "yamltree.h"

#define MAX_RULES_FILE	(1u << 20)	/* a rules file larger is refused */
#define MAX_PATTERN	4096
#define PARENS_NEST	50
#define MATCH_LIMIT	1000000
#define DEPTH_LIMIT	10000
#define HEAP_LIMIT	65536		/* KiB */

struct regex {
	pcre2_code	*code;
	char		*text;
	long		 line, col;
};

struct rule {
	size_t		 cat;
	struct regex	*path, *name, *content;	/* NULL when absent */
	long		 line, col;
};

/* A named triage category (the triage: key): its patterns on a failure. */
struct triage {
	const char	*name;
	struct regex	*type, *message, *trace;	/* NULL when absent */
};

struct tally_rules {
	char			*tests;
	struct tally_category	*cats;
	size_t			 ncats;
	struct regex		*include, *exclude, *keep;
	size_t			 ninclude, nexclude, nkeep;
	struct rule		*rules;
	size_t			 nrules;
	long			 dflt;		/* category index, -1 none */
	const char		**refs;		/* references: files to check */
	size_t			 nrefs;
	const char		*name;		/* the file, or "built-in rules" */
	int			 has_include, has_exclude;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;
	pcre2_match_data	*md;
	/* The strings the categories point to. */
	char			**strs;
	size_t			 nstrs;
	struct triage		*triage;
	size_t			 ntriage;
};

static int triage_list(struct tally_rules *r, const struct ynode *y,
    struct tally_error *err);

/* The schema. */

static const char *
type_name(enum ytype t)
{
	return t == Y_SCALAR ? "a string" : t == Y_SEQ ? "a list" :
	    "a mapping";
}

static int
want(const struct ynode *y, enum ytype t, const char *what,
    struct tally_error *err)
{
	if (y->type == t)
		return TALLY_OK;
	return tally_error_set(err, TALLY_EPARSE, y->line, y->col,
	    "'%s' must be %s, not %s", what, type_name(t), type_name(y->type));
}

static int
keep(struct tally_rules *r, const char *s, const char **out)
{
	char **v, *d;

	if ((d = strdup(s)) == NULL)
		return TALLY_ENOMEM;
	if ((v = realloc(r->strs, (r->nstrs + 1) * sizeof(*v))) == NULL) {
		free(d);
		return TALLY_ENOMEM;
	}
	r->strs = v;
	r->strs[r->nstrs++] = d;
	*out = d;
	return TALLY_OK;
}

/* One line of text: no control characters. */
static int
one_line(const struct ynode *y, const char *what, struct tally_error *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)y->s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return tally_error_set(err, TALLY_EPARSE, y->line,
			    y->col, "'%s' must be one line of text", what);
	if (y->s[0] == '\0')
		return tally_error_set(err, TALLY_EPARSE, y->line, y->col,
		    "'%s' is empty", what);
	return TALLY_OK;
}

/*
 * A relative path of plain components: not empty, not absolute, no '.',
 * '..' or empty component, none longer than NAME_MAX.  With single set,
 * one component only.
 */
static int
safe_path(const struct ynode *y, const char *what, int single,
    struct tally_error *err)
{
	const char *p = y->s, *slash;
	size_t n;

	if (one_line(y, what, err) != TALLY_OK)
		return TALLY_EPARSE;
	if (*p == '/')
		goto bad;
	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			goto bad;
		if (slash == NULL)
			return TALLY_OK;
		if (single)
			goto bad;
		p = slash + 1;
	}
bad:
	return tally_error_set(err, TALLY_EPARSE, y->line, y->col,
	    "'%s' must be a relative path without '.' or '..'%s", what,
	    single ? " and without '/'" : "");
}

static int
compile(struct tally_rules *r, const struct ynode *y, int multiline,
    struct regex *re, struct tally_error *err)
{
	pcre2_compile_context *cc;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int ec;

	if (want(y, Y_SCALAR, "pattern", err) != TALLY_OK)
		return TALLY_EPARSE;
	re->line = y->line;
	re->col = y->col;
	if ((re->text = strdup(y->s)) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if ((cc = pcre2_compile_context_create(NULL)) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	pcre2_set_max_pattern_length(cc, MAX_PATTERN);
	pcre2_set_parens_nest_limit(cc, PARENS_NEST);
	re->code = pcre2_compile((PCRE2_SPTR)y->s, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C |
	    (multiline ? PCRE2_MULTILINE : PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY),
	    &ec, &off, cc);
	pcre2_compile_context_free(cc);
	if (re->code == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return tally_error_set(err, TALLY_EPARSE, y->line, y->col,
		    "bad regex at offset %zu: %s", (size_t)off, (char *)msg);
	}
	/* Without JIT the interpreter runs the pattern. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	(void)r;
	return TALLY_OK;
}

static int
regex_list(struct tally_rules *r, const struct ynode *y, const char *what,
    struct regex **out, size_t *n, struct tally_error *err)
{
	size_t i;
	int rc;

	if (want(y, Y_SEQ, what, err) != TALLY_OK)
		return TALLY_EPARSE;
	if (y->n > 0 && (*out = calloc(y->n, sizeof(**out))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	*n = y->n;
	for (i = 0; i < y->n; i++)
		if ((rc = compile(r, y->kids[i], 0, &(*out)[i], err)) != TALLY_OK)
			return rc;
	return TALLY_OK;
}

static int
unknown_key(const struct ynode *k, const char *where, struct tally_error *err)
{
	return tally_error_set(err, TALLY_EPARSE, k->line, k->col,
	    "unknown key '%s' in %s", k->s, where);
}

static int
category(struct tally_rules *r, const struct ynode *m,
    struct tally_category *c, struct tally_error *err)
{
	const struct ynode *k, *v, *name = NULL, *dir = NULL, *purpose = NULL,
	    *marker = NULL, *command = NULL;
	struct tally_buf b;
	size_t i;
	int rc;

	if (want(m, Y_MAP, "category", err) != TALLY_OK)
		return TALLY_EPARSE;
	for (i = 0; i < m->n; i += 2) {
		k = m->kids[i];
		v = m->kids[i + 1];
		if (strcmp(k->s, "name") == 0)
			name = v;
		else if (strcmp(k->s, "dir") == 0)
			dir = v;
		else if (strcmp(k->s, "purpose") == 0)
			purpose = v;
		else if (strcmp(k->s, "marker") == 0)
			marker = v;
		else if (strcmp(k->s, "command") == 0)
			command = v;
		else
			return unknown_key(k, "category", err);
		if (want(v, Y_SCALAR, k->s, err) != TALLY_OK)
			return TALLY_EPARSE;
	}
	if (name == NULL || purpose == NULL)
		return tally_error_set(err, TALLY_EPARSE, m->line, m->col,
		    "category needs 'name' and 'purpose'");
	if (safe_path(name, "name", 1, err) != TALLY_OK ||
	    (dir != NULL && safe_path(dir, "dir", 0, err) != TALLY_OK) ||
	    one_line(purpose, "purpose", err) != TALLY_OK ||
	    (marker != NULL && safe_path(marker, "marker", 1, err) !=
	    TALLY_OK) ||
	    (command != NULL && one_line(command, "command", err) != TALLY_OK))
		return TALLY_EPARSE;
	c->line = command ? command->line : m->line;
	if (keep(r, name->s, &c->name) != TALLY_OK ||
	    keep(r, dir ? dir->s : name->s, &c->dir) != TALLY_OK ||
	    keep(r, purpose->s, &c->purpose) != TALLY_OK ||
	    (marker != NULL && keep(r, marker->s, &c->marker) != TALLY_OK))
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if (command != NULL)
		rc = keep(r, command->s, &c->command);
	else {
		tally_buf_init(&b);
		rc = tally_buf_printf(&b, "python -m pytest %s/%s", r->tests,
		    c->dir);
		if (rc == TALLY_OK)
			rc = keep(r, b.data, &c->command);
		tally_buf_free(&b);
	}
	if (rc != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	return TALLY_OK;
}

static long
find_cat(const struct tally_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncats; i++)
		if (strcmp(r->cats[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int
rule(struct tally_rules *r, const struct ynode *m, struct rule *ru,
    struct tally_error *err)
{
	const struct ynode *k, *v, *cat = NULL;
	struct regex **slot;
	long ci;
	size_t i;
	int rc;

	if (want(m, Y_MAP, "rule", err) != TALLY_OK)
		return TALLY_EPARSE;
	ru->line = m->line;
	ru->col = m->col;
	for (i = 0; i < m->n; i += 2) {
		k = m->kids[i];
		v = m->kids[i + 1];
		if (strcmp(k->s, "category") == 0) {
			if (want(v, Y_SCALAR, k->s, err) != TALLY_OK)
				return TALLY_EPARSE;
			cat = v;
			continue;
		}

		if (strcmp(k->s, "path") == 0)
			slot = &ru->path;
		else if (strcmp(k->s, "name") == 0)
			slot = &ru->name;
		else if (strcmp(k->s, "content") == 0)
			slot = &ru->content;
		else
			return unknown_key(k, "rule", err);
		if ((*slot = calloc(1, sizeof(**slot))) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		rc = compile(r, v, slot == &ru->content, *slot, err);
		if (rc != TALLY_OK)
			return rc;
	}
	if (cat == NULL)
		return tally_error_set(err, TALLY_EPARSE, m->line, m->col,
		    "rule needs a 'category'");
	if (ru->path == NULL && ru->name == NULL && ru->content == NULL)
		return tally_error_set(err, TALLY_EPARSE, m->line, m->col,
		    "rule needs 'path', 'name' or 'content'");
	if ((ci = find_cat(r, cat->s)) < 0)
		return tally_error_set(err, TALLY_EPARSE, cat->line, cat->col,
		    "unknown category '%s'", cat->s);
	ru->cat = (size_t)ci;
	return TALLY_OK;
}

static int
from_tree(struct tally_rules *r, const struct ynode *root,
    struct tally_error *err)
{
	static const struct ynode no_cats = { Y_SEQ, 0, 0, NULL, 0, NULL, 0 };
	const struct ynode *k, *v, *version = NULL, *tests = NULL,
	    *include = NULL, *exclude = NULL, *cats = NULL, *rules = NULL,
	    *dflt = NULL, *refs = NULL, *keeps = NULL, *triage = NULL;
	struct ynode *y;
	size_t i, j;
	int rc;

	if (root == NULL)
		return tally_error_set(err, TALLY_EPARSE, 1, 1,
		    "empty rules file");
	if (want(root, Y_MAP, "rules file", err) != TALLY_OK)
		return TALLY_EPARSE;
	for (i = 0; i < root->n; i += 2) {
		k = root->kids[i];
		v = root->kids[i + 1];
		if (strcmp(k->s, "version") == 0)
			version = v;
		else if (strcmp(k->s, "tests") == 0)
			tests = v;
		else if (strcmp(k->s, "include") == 0)
			include = v;
		else if (strcmp(k->s, "exclude") == 0)
			exclude = v;
		else if (strcmp(k->s, "categories") == 0)
			cats = v;
		else if (strcmp(k->s, "rules") == 0)
			rules = v;
		else if (strcmp(k->s, "default") == 0)
			dflt = v;
		else if (strcmp(k->s, "references") == 0)
			refs = v;
		else if (strcmp(k->s, "keep") == 0)
			keeps = v;
		else if (strcmp(k->s, "triage") == 0)
			triage = v;
		else
			return unknown_key(k, "rules file", err);
	}
	if (refs != NULL) {
		if (want(refs, Y_SEQ, "references", err) != TALLY_OK)
			return TALLY_EPARSE;
		if ((r->refs = calloc(refs->n + 1, sizeof(*r->refs))) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		for (i = 0; i < refs->n; i++) {
			y = refs->kids[i];
			if (want(y, Y_SCALAR, "reference", err) != TALLY_OK ||
			    safe_path(y, "reference", 0, err) != TALLY_OK)
				return TALLY_EPARSE;
			if (keep(r, y->s, &r->refs[i]) != TALLY_OK)
				return tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
			r->nrefs = i + 1;
		}
	}
	if (version != NULL && (want(version, Y_SCALAR, "version", err) !=
	    TALLY_OK || strcmp(version->s, "1") != 0))
		return tally_error_set(err, TALLY_EPARSE, version->line,
		    version->col, "unsupported version (this is version 1)");
	if (tests != NULL) {
		if (want(tests, Y_SCALAR, "tests", err) != TALLY_OK ||
		    safe_path(tests, "tests", 0, err) != TALLY_OK)
			return TALLY_EPARSE;
		r->tests = strdup(tests->s);
	} else
		r->tests = strdup("tests");
	if (r->tests == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	/* A file of triage categories alone needs no test categories. */
	if (triage != NULL && (rc = triage_list(r, triage, err)) != TALLY_OK)
		return rc;
	if (cats == NULL && triage != NULL)
		cats = &no_cats;
	if (cats == NULL)
		return tally_error_set(err, TALLY_EPARSE, root->line, root->col,
		    "no 'categories'");
	if (want(cats, Y_SEQ, "categories", err) != TALLY_OK)
		return TALLY_EPARSE;
	if ((r->cats = calloc(cats->n + 1, sizeof(*r->cats))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	for (i = 0; i < cats->n; i++) {
		y = cats->kids[i];
		if ((rc = category(r, y, &r->cats[i], err)) != TALLY_OK)
			return rc;
		r->ncats = i + 1;
		for (j = 0; j < i; j++)
			if (strcmp(r->cats[j].name, r->cats[i].name) == 0 ||
			    strcmp(r->cats[j].dir, r->cats[i].dir) == 0)
				return tally_error_set(err, TALLY_EPARSE,
				    y->line, y->col, "category '%s' repeats "
				    "the name or directory of '%s'",
				    r->cats[i].name, r->cats[j].name);
	}
	r->has_include = include != NULL;
	r->has_exclude = exclude != NULL;
	if (include != NULL)
		rc = regex_list(r, include, "include", &r->include,
		    &r->ninclude, err);
	else
		rc = TALLY_OK;
	if (rc == TALLY_OK && exclude != NULL)
		rc = regex_list(r, exclude, "exclude", &r->exclude,
		    &r->nexclude, err);
	if (rc == TALLY_OK && keeps != NULL)
		rc = regex_list(r, keeps, "keep", &r->keep, &r->nkeep, err);
	if (rc != TALLY_OK)
		return rc;
	if (rules != NULL) {
		if (want(rules, Y_SEQ, "rules", err) != TALLY_OK)
			return TALLY_EPARSE;
		if (rules->n > 0 && (r->rules = calloc(rules->n,
		    sizeof(*r->rules))) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		for (i = 0; i < rules->n; i++) {
			r->nrules = i + 1;
			rc = rule(r, rules->kids[i], &r->rules[i], err);
			if (rc != TALLY_OK)
				return rc;
		}
	}
	r->dflt = -1;
	if (dflt != NULL) {
		if (want(dflt, Y_SCALAR, "default", err) != TALLY_OK)
			return TALLY_EPARSE;
		if ((r->dflt = find_cat(r, dflt->s)) < 0)
			return tally_error_set(err, TALLY_EPARSE, dflt->line,
			    dflt->col, "unknown category '%s'", dflt->s);
	}
	return TALLY_OK;
}

/* Rules from a tree whose include and exclude default to the built-ins. */
static int
fill_defaults(struct tally_rules *r, struct tally_error *err)
{
	struct tally_rules *d;
	struct tally_error derr;
	int rc;

	if (r->has_include && r->has_exclude)
		return TALLY_OK;
	tally_error_init(&derr, "built-in rules");
	if ((rc = tally_rules_parse(&d, NULL, tally_rules_default_text(),
	    strlen(tally_rules_default_text()), &derr)) != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "%s", derr.message);
	if (!r->has_include) {
		r->include = d->include;
		r->ninclude = d->ninclude;
		d->include = NULL;
		d->ninclude = 0;
	}
	if (!r->has_exclude) {
		r->exclude = d->exclude;
		r->nexclude = d->nexclude;
		d->exclude = NULL;
		d->nexclude = 0;
	}
	tally_rules_free(d);
	return TALLY_OK;
}

int
tally_rules_parse(struct tally_rules **out, const char *name,
    const char *text, size_t len, struct tally_error *err)
{
	struct tally_rules *r;
	struct ynode *root = NULL;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	r->dflt = -1;
	if ((rc = keep(r, name != NULL && *name != '\0' ? name :
	    "built-in rules", &r->name)) != TALLY_OK) {
		rc = tally_error_set(err, rc, 0, 0, "out of memory");
		goto fail;
	}
	if ((rc = yaml_tree(text, len, &root, err)) != TALLY_OK)
		goto fail;
	rc = from_tree(r, root, err);
	ynode_free(root);
	if (rc != TALLY_OK)
		goto fail;
	/* The built-in include and exclude lists stand in for missing ones. */
	if (name != NULL && (rc = fill_defaults(r, err)) != TALLY_OK)
		goto fail;
	r->mctx = pcre2_match_context_create(NULL);
	r->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	r->md = pcre2_match_data_create(1, NULL);
	if (r->mctx == NULL || r->jstack == NULL || r->md == NULL) {
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mctx, HEAP_LIMIT);
	pcre2_jit_stack_assign(r->mctx, NULL, r->jstack);
	*out = r;
	return TALLY_OK;
fail:
	tally_rules_free(r);
	return rc;
}

int
tally_rules_load(struct tally_rules **out, const char *path,
    struct tally_error *err)
{
	struct tally_buf b;
	struct stat st;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	*out = NULL;
	if (path == NULL)
		return tally_rules_parse(out, "", tally_rules_default_text(),
		    strlen(tally_rules_default_text()), err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		err->sys_errno = errno;
		rc = tally_error_set(err, TALLY_EIO, 0, 0, "cannot read: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "not a regular file");
	}
	tally_buf_init(&b);
	rc = TALLY_OK;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err->sys_errno = errno;
			rc = tally_error_set(err, TALLY_EIO, 0, 0,
			    "read error: %s", strerror(errno));
			break;
		}
		if (b.len + (size_t)n > MAX_RULES_FILE) {
			rc = tally_error_set(err, TALLY_ELIMIT, 0, 0,
			    "rules file larger than %u bytes", MAX_RULES_FILE);
			break;
		}
		if ((rc = tally_buf_add(&b, chunk, (size_t)n)) != TALLY_OK) {
			tally_error_set(err, rc, 0, 0, "out of memory");
			break;
		}
	}
	close(fd);
	if (rc == TALLY_OK)
		rc = tally_rules_parse(out, path, b.data ? b.data : "", b.len,
		    err);
	tally_buf_free(&b);
	return rc;
}

static void
regex_fini(struct regex *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	free(re->text);
}

void
tally_rules_free(struct tally_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ninclude; i++)
		regex_fini(&r->include[i]);
	for (i = 0; i < r->nexclude; i++)
		regex_fini(&r->exclude[i]);
	for (i = 0; i < r->nkeep; i++)
		regex_fini(&r->keep[i]);
	free(r->include);
	free(r->exclude);
	free(r->keep);
	for (i = 0; i < r->nrules; i++) {
		regex_fini(r->rules[i].path);
		regex_fini(r->rules[i].name);
		regex_fini(r->rules[i].content);
		free(r->rules[i].path);
		free(r->rules[i].name);
		free(r->rules[i].content);
	}
	free(r->rules);
	for (i = 0; i < r->ntriage; i++) {
		regex_fini(r->triage[i].type);
		regex_fini(r->triage[i].message);
		regex_fini(r->triage[i].trace);
		free(r->triage[i].type);
		free(r->triage[i].message);
		free(r->triage[i].trace);
	}
	free(r->triage);
	for (i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->cats);
	free(r->refs);
	free(r->tests);
	pcre2_match_data_free(r->md);
	pcre2_jit_stack_free(r->jstack);
	pcre2_match_context_free(r->mctx);
	free(r);
}

const char *
tally_rules_tests_dir(const struct tally_rules *r)
{
	return r->tests;
}

const char *
tally_rules_name(const struct tally_rules *r)
{
	return r->name;
}

size_t
tally_rules_nreferences(const struct tally_rules *r)
{
	return r->nrefs;
}

const char *
tally_rules_reference(const struct tally_rules *r, size_t i)
{
	return i < r->nrefs ? r->refs[i] : NULL;
}

size_t
tally_rules_ncategories(const struct tally_rules *r)
{
	return r->ncats;
}

const struct tally_category *
tally_rules_category(const struct tally_rules *r, size_t i)
{
	return i < r->ncats ? &r->cats[i] : NULL;
}

/* Matching. */

/* 1 for a match, 0 for none, or a failure with the pattern named. */
static int
run(const struct tally_rules *r, const struct regex *re, const char *s,
    size_t n, struct tally_error *err)
{
	PCRE2_UCHAR msg[256];
	struct tally_buf b;
	int rc;

	rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, r->md, r->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre2_get_error_message(rc, msg, sizeof(msg));
	tally_buf_init(&b);
	if (tally_esc_term(&b, s, n < 200 ? n : 200) != TALLY_OK)
		tally_buf_reset(&b);
	tally_error_set(err, TALLY_ELIMIT, 0, 0,
	    "regex '%.200s' (rules line %ld) failed on '%s': %s", re->text,
	    re->line, b.data ? b.data : "", (char *)msg);
	tally_buf_free(&b);
	return TALLY_ELIMIT;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
tally_rules_select(const struct tally_rules *r, const char *relpath,
    int isdir, int *what, struct tally_error *err)
{
	struct tally_buf b;
	const char *s = relpath;
	size_t i, n = strlen(relpath);
	int m = 0;

	*what = TALLY_RULES_OTHER;
	tally_buf_init(&b);
	if (isdir) {
		if (tally_buf_printf(&b, "%s/", relpath) != TALLY_OK)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		s = b.data;
		n = b.len;
	}
	for (i = 0; i < r->nexclude && m == 0; i++)
		m = run(r, &r->exclude[i], s, n, err);
	tally_buf_free(&b);
	if (m < 0)
		return m;
	if (m) {
		*what = TALLY_RULES_EXCLUDED;
		return TALLY_OK;
	}
	if (isdir)
		return TALLY_OK;
	s = base_name(relpath);
	for (i = 0; i < r->ninclude && m == 0; i++)
		m = run(r, &r->include[i], s, strlen(s), err);
	if (m < 0)
		return m;
	*what = m ? TALLY_RULES_TEST : TALLY_RULES_OTHER;
	return TALLY_OK;
}

/*
 * The category whose directory holds relpath (below the tests directory),
 * the deepest when directories nest, or NULL.
 */
static const struct tally_category *
dir_category(const struct tally_rules *r, const char *relpath)
{
	const struct tally_category *best = NULL;
	size_t i, n, bn = 0;

	for (i = 0; i < r->ncats; i++) {
		n = strlen(r->cats[i].dir);
		if (n > bn && strncmp(relpath, r->cats[i].dir, n) == 0 &&
		    relpath[n] == '/') {
			best = &r->cats[i];
			bn = n;
		}
	}
	return best;
}

int
tally_rules_match(const struct tally_rules *r, const char *relpath,
    int (*content)(void *, const char **, size_t *, struct tally_error *),
    void *arg, const struct tally_category **cat, struct tally_error *err)
{
	return tally_rules_match_stay(r, relpath, content, arg, cat, NULL,
	    err);
}

int
tally_rules_match_stay(const struct tally_rules *r, const char *relpath,
    int (*content)(void *, const char **, size_t *, struct tally_error *),
    void *arg, const struct tally_category **cat, int *stay,
    struct tally_error *err)
{
	const struct tally_category *here;
	const struct rule *ru;
	const char *name = base_name(relpath), *data = NULL;
	size_t i, len = 0;
	int m, loaded = 0, rc;

	*cat = NULL;
	if (stay != NULL) {
		for (*stay = 0, i = 0; i < r->nkeep && *stay == 0; i++)
			*stay = run(r, &r->keep[i], relpath, strlen(relpath),
			    err);
		if (*stay < 0)
			return *stay;
	}
	here = dir_category(r, relpath);
	for (i = 0; i < r->nrules; i++) {
		ru = &r->rules[i];
		/*
		 * A file placed by hand in a category directory is not moved
		 * out of it by a guess from its name alone.
		 */
		if (here != NULL && ru->path == NULL && ru->content == NULL &&
		    &r->cats[ru->cat] != here)
			continue;
		m = 1;
		if (ru->path != NULL)
			m = run(r, ru->path, relpath, strlen(relpath), err);
		if (m == 1 && ru->name != NULL)
			m = run(r, ru->name, name, strlen(name), err);
		if (m == 1 && ru->content != NULL) {
			if (content == NULL)
				m = 0;
			else {
				if (!loaded) {
					rc = content(arg, &data, &len, err);
					if (rc != TALLY_OK)
						return rc;
					loaded = 1;
				}
				m = run(r, ru->content, data ? data : "", len,
				    err);
			}
		}
		if (m < 0)
			return m;
		if (m == 1) {
			*cat = &r->cats[ru->cat];
			return TALLY_OK;
		}
	}
	if (here != NULL)
		*cat = here;
	else if (r->dflt >= 0)
		*cat = &r->cats[r->dflt];
	return TALLY_OK;
}

/* "test_x" or "x_test": a component naming a Python test module. */
static int
test_module(const char *s, size_t n)
{
	return (n > 5 && strncmp(s, "test_", 5) == 0) ||
	    (n > 5 && strncmp(s + n - 5, "_test", 5) == 0) ||
	    (n == 4 && strncmp(s, "test", 4) == 0);
}

/* A file name with an extension of a test file, not a classname. */
static int
file_name(const char *s)
{
	static const char *const ext[] = {
		".py", ".js", ".ts", ".jsx", ".tsx", ".mjs", ".cjs", ".mts",
		".cts",
	};
	const char *dot = strrchr(s, '.');
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

int
tally_rules_classify(const struct tally_rules *r,
    const char *path_or_classname, const char **category,
    struct tally_error *err)
{
	const struct tally_category *c;
	struct tally_buf b;
	const char *s = path_or_classname, *p, *dot, *end = NULL;
	size_t tl = strlen(r->tests);
	int rc;

	*category = NULL;
	tally_buf_init(&b);
	if (strchr(s, '/') == NULL && strchr(s, '.') != NULL &&
	    !file_name(s)) {
		/* A dotted classname: find the module. */
		for (p = s; ; p = dot + 1) {
			dot = strchr(p, '.');
			if (test_module(p, dot ? (size_t)(dot - p) : strlen(p)))
				end = dot ? dot : p + strlen(p);
			if (dot == NULL)
				break;
		}
		rc = TALLY_OK;
		for (p = s; *p != '\0' && (end == NULL || p < end) &&
		    rc == TALLY_OK; p++)
			rc = tally_buf_addc(&b, *p == '.' ? '/' : *p);
		if (end != NULL && rc == TALLY_OK)
			rc = tally_buf_adds(&b, ".py");
		if (rc != TALLY_OK || b.data == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		s = b.data;
	}
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	if (strncmp(s, r->tests, tl) == 0 && s[tl] == '/')
		s += tl + 1;
	rc = tally_rules_match(r, s, NULL, NULL, &c, err);
	tally_buf_free(&b);
	if (rc == TALLY_OK && c != NULL)
		*category = c->name;
	return rc;
}

/* Triage categories: named groups of failures (the triage: key). */

static int
triage_one(struct tally_rules *r, const struct ynode *m, struct triage *t,
    struct tally_error *err)
{
	const struct ynode *k, *v, *name = NULL;
	struct regex **slot;
	size_t i;
	int rc;

	if (want(m, Y_MAP, "triage category", err) != TALLY_OK)
		return TALLY_EPARSE;
	for (i = 0; i < m->n; i += 2) {
		k = m->kids[i];
		v = m->kids[i + 1];
		if (strcmp(k->s, "name") == 0) {
			if (want(v, Y_SCALAR, k->s, err) != TALLY_OK ||
			    one_line(v, k->s, err) != TALLY_OK)
				return TALLY_EPARSE;
			name = v;
			continue;
		}
		if (strcmp(k->s, "type") == 0)
			slot = &t->type;
		else if (strcmp(k->s, "message") == 0)
			slot = &t->message;
		else if (strcmp(k->s, "trace") == 0)
			slot = &t->trace;
		else
			return unknown_key(k, "triage category", err);
		if ((*slot = calloc(1, sizeof(**slot))) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		/* A trace is read line by line: ^ and $ at each line. */
		if ((rc = compile(r, v, slot == &t->trace, *slot, err)) !=
		    TALLY_OK)
			return rc;
	}
	if (name == NULL)
		return tally_error_set(err, TALLY_EPARSE, m->line, m->col,
		    "triage category needs a 'name'");
	if (t->type == NULL && t->message == NULL && t->trace == NULL)
		return tally_error_set(err, TALLY_EPARSE, m->line, m->col,
		    "triage category needs 'message', 'type' or 'trace'");
	if (keep(r, name->s, &t->name) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	return TALLY_OK;
}

static int
triage_list(struct tally_rules *r, const struct ynode *y,
    struct tally_error *err)
{
	size_t i;
	int rc;

	if (want(y, Y_SEQ, "triage", err) != TALLY_OK)
		return TALLY_EPARSE;
	if (y->n > 0 && (r->triage = calloc(y->n, sizeof(*r->triage))) ==
	    NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	for (i = 0; i < y->n; i++) {
		r->ntriage = i + 1;
		if ((rc = triage_one(r, y->kids[i], &r->triage[i], err)) !=
		    TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

size_t
tally_rules_ntriage(const struct tally_rules *r)
{
	return r->ntriage;
}

/*
 * 1 when re is absent or matches s; 0 when s is NULL or no match; a
 * failure names the rules file and the pattern's line and column.
 */
static int
triage_run(const struct tally_rules *r, const struct regex *re,
    const char *s, struct tally_error *err)
{
	int m;

	if (re == NULL)
		return 1;
	if (s == NULL)
		return 0;
	if ((m = run(r, re, s, strlen(s), err)) < 0 && err != NULL) {
		snprintf(err->file, sizeof(err->file), "%s", r->name);
		err->line = re->line;
		err->column = re->col;
	}
	return m;
}

int
tally_rules_triage(const struct tally_rules *r, const char *type,
    const char *message, const char *trace, const char **name,
    struct tally_error *err)
{
	const struct triage *t;
	size_t i;
	int m;

	*name = NULL;
	for (i = 0; i < r->ntriage; i++) {
		t = &r->triage[i];
		if ((m = triage_run(r, t->type, type, err)) == 1 &&
		    (m = triage_run(r, t->message, message, err)) == 1)
			m = triage_run(r, t->trace, trace, err);
		if (m < 0)
			return m;
		if (m == 1) {
			*name = t->name;
			return TALLY_OK;
		}
	}
	return TALLY_OK;
}
