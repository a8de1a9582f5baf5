/*
 * lib/organize/refs.c: the files that name test paths (CI workflows,
 * Makefiles, tox.ini, pyproject.toml, package.json, ...): every path
 * below the tests directory they name is found with its line, checked
 * against the layout the plan leaves, and, for a file the plan moves,
 * rewritten to its new path.
 *
 * Each format is read by what it is: YAML with libyaml (lines from its
 * marks), shell in run: blocks and Makefiles as shell words (quotes,
 * backslash-newline), INI values, TOML strings, the scripts of
 * package.json.  A word is a path only when it looks like one (see
 * is_path()); anything else is never reported.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "organize_int.h"
#include "yamltree.h"

#define MAX_REF_FILE	(4u << 20)	/* a larger file is not read */
#define LOCATE_LINES	64		/* how far a word is looked for */

struct rctx {
	int		 rootfd;
	const char	*tests;
	const struct refs_plan *plan;
	const struct tally_organize_opts *o;
	struct refs_file	*f;
	struct refs_result *res;
	const struct tally_category *cat; /* reading its command */
	struct tally_buf word;
	struct tally_error *err;
	int		 rc;
};

/* Path characters: what a path word may hold besides glob characters. */
static int
path_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == '/' || c == '+' || c == '@' || c == ',' || c == '%' ||
	    (unsigned char)c >= 0x80;
}

static int
glob_char(int c)
{
	return c == '*' || c == '?' || c == '[' || c == ']';
}

/*
 * Is w a path below the tests directory?  *start and *len give the path
 * inside w (after NAME=, ./, and before a pytest ::node id); *isglob
 * says whether it has glob characters.
 */
static int
is_path(const char *w, const char *tests, size_t *start, size_t *len,
    int *isglob)
{
	const char *p = w, *e, *c;
	size_t tl = strlen(tests);

	if (*p == '-' || strstr(p, "://") != NULL)
		return 0;
	/* NAME=value: the value. */
	if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_') {
		for (c = p; (*c >= 'A' && *c <= 'Z') || (*c >= 'a' &&
		    *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'; c++)
			;
		if (*c == '=')
			p = c + 1;
	}
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if ((e = strstr(p, "::")) == NULL)
		e = p + strlen(p);
	while (e > p && e[-1] == '/')
		e--;
	if ((size_t)(e - p) < tl || strncmp(p, tests, tl) != 0 ||
	    (p + tl != e && p[tl] != '/'))
		return 0;
	*isglob = 0;
	for (c = p; c < e; c++) {
		if (glob_char(*c))
			*isglob = 1;
		else if (!path_char(*c))
			return 0;
		/* No empty, "." or ".." component. */
		if (*c == '/' && (c[1] == '/' || (c[1] == '.' && (c[2] == '/' ||
		    c + 2 == e || (c[2] == '.' && (c[3] == '/' ||
		    c + 3 == e))))))
			return 0;
	}
	*start = (size_t)(p - w);
	*len = (size_t)(e - p);
	return 1;
}

/* Does a word start at s in the line l (after any "./")? */
static int
word_start(const char *l, const char *s)
{
	while (s - l >= 2 && s[-1] == '/' && s[-2] == '.')
		s -= 2;
	return s == l || (!path_char(s[-1]) && !glob_char(s[-1]));
}

/*
 * The line, from hint on, where path stands as a word of its own (not
 * part of a longer path), and its byte offset there; 0 when not found.
 */
static long
locate_from(const struct refs_file *f, long hint, const char *path, size_t n,
    size_t from, size_t *off)
{
	const char *l, *end, *s;
	long i;

	if (hint < 1)
		hint = 1;
	for (i = hint; i <= (long)f->nlines && i < hint + LOCATE_LINES; i++) {
		l = f->line[i - 1];
		end = i < (long)f->nlines ? f->line[i] : f->text + f->len;
		for (s = l; s + n <= end; s++) {
			s = memmem(s, (size_t)(end - s), path, n);
			if (s == NULL)
				break;
			if ((size_t)(s - f->text) >= from &&
			    word_start(l, s) &&
			    (s + n == end || (!path_char(s[n]) &&
			    !glob_char(s[n])))) {
				*off = (size_t)(s - f->text);
				return i;
			}
		}
	}
	return 0;
}

/* The same, at any offset. */
static long
locate(const struct refs_file *f, long hint, const char *path, size_t n,
    size_t *off)
{
	return locate_from(f, hint, path, n, 0, off);
}

/* Is a rewrite of this file already at offset off? */
static int
claimed(const struct refs_result *r, const char *file, size_t off)
{
	size_t i;

	for (i = r->nrw; i-- > 0 && strcmp(r->rw[i].file, file) == 0; )
		if (r->rw[i].off == off)
			return 1;
	return 0;
}

/* Is the path (relative to the root) there once the plan is carried out? */
static int
exists_after(struct rctx *x, const char *path)
{
	const struct refs_plan *p = x->plan;
	struct stat st;
	size_t i, n = strlen(path);

	for (i = 0; i < p->nmoves; i++) {
		if (strcmp(p->dst[i], path) == 0)
			return 1;
		/* A directory that a destination is below. */
		if (strncmp(p->dst[i], path, n) == 0 && p->dst[i][n] == '/')
			return 1;
	}
	for (i = 0; i < p->ndirs; i++)
		if (strcmp(p->dirs[i], path) == 0)
			return 1;
	for (i = 0; i < p->nmoves; i++)
		if (strcmp(p->src[i], path) == 0)
			return 0;
	return fstatat(x->rootfd, path, &st, 0) == 0;
}

/* The index of the move whose source is path, or -1. */
static long
moved(const struct refs_plan *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nmoves; i++)
		if (strcmp(p->src[i], path) == 0)
			return (long)i;
	return -1;
}

/* fnmatch for pattern, with "**" also matching across directories. */
static int
glob_match(const char *pat, const char *path)
{
	if (fnmatch(pat, path, FNM_PATHNAME | FNM_PERIOD) == 0)
		return 1;
	return strstr(pat, "**") != NULL && fnmatch(pat, path, 0) == 0;
}

/*
 * Does the glob match a file once the plan is carried out (with after
 * set), or now?
 */
static int
glob_finds(struct rctx *x, const char *pat, int after)
{
	const struct refs_plan *p = x->plan;
	struct tally_buf b;
	const char *s, *root = x->plan->root;
	glob_t g;
	size_t i, k, rl;
	int found = 0;

	for (i = 0; i < p->nmoves && !found && after; i++)
		found = glob_match(pat, p->dst[i]);
	if (found)
		return 1;
	/* The disk, through glob(3) on the root with its own glob
	 * characters escaped. */
	tally_buf_init(&b);
	for (s = root; *s != '\0'; s++)
		if ((glob_char(*s) || *s == '\\') && tally_buf_addc(&b, '\\') !=
		    TALLY_OK)
			goto out;
		else if (tally_buf_addc(&b, *s) != TALLY_OK)
			goto out;
	rl = b.len + 1;
	if (tally_buf_printf(&b, "/%s", pat) != TALLY_OK)
		goto out;
	memset(&g, 0, sizeof(g));
	if (glob(b.data, GLOB_NOSORT, NULL, &g) == 0) {
		for (k = 0; k < g.gl_pathc && !found; k++) {
			s = g.gl_pathv[k] + strlen(root) + 1;
			found = strlen(g.gl_pathv[k]) > rl - 1 &&
			    (!after || moved(p, s) < 0);
		}
	}
	globfree(&g);
out:
	tally_buf_free(&b);
	return found;
}

static void
report(struct rctx *x, int status, long line, const char *fmt,
    const char *a, const char *b)
{
	struct tally_error e;

	tally_error_init(&e, x->f->name);
	tally_error_set(&e, status, line, 0, fmt, a, b);
	if (x->o->diag)
		x->o->diag(x->o->arg, status, &e);
}

static int
add_rewrite(struct rctx *x, size_t off, size_t len, long line, size_t mv)
{
	struct refs_result *r = x->res;
	struct refs_rewrite *v;

	if ((r->nrw & 15) == 0) {
		v = realloc(r->rw, (r->nrw + 16) * sizeof(*v));
		if (v == NULL)
			return TALLY_ENOMEM;
		r->rw = v;
	}
	v = &r->rw[r->nrw];
	memset(v, 0, sizeof(*v));
	if ((v->file = strdup(x->f->name)) == NULL)
		return TALLY_ENOMEM;
	v->off = off;
	v->len = len;
	v->line = line;
	v->move = mv;
	r->nrw++;
	return TALLY_OK;
}

/* One word of a reference file, its line a hint. */
static void
word(struct rctx *x, const char *w, long hint)
{
	char *path;
	size_t start, len, off = 0, from;
	long line, line2, mv;
	int isglob;

	if (x->rc != TALLY_OK || !is_path(w, x->tests, &start, &len, &isglob))
		return;
	if ((path = strndup(w + start, len)) == NULL) {
		x->rc = TALLY_ENOMEM;
		return;
	}
	if ((line = locate(x->f, hint, path, len, &off)) == 0)
		line = hint;
	if (isglob) {
		if (!glob_finds(x, path, 1)) {
			report(x, TALLY_EINVAL, line, "'%s' %s", path,
			    glob_finds(x, path, 0) ? "would match no file "
			    "after the moves" : "matches no file");
			x->res->broken++;
		}
	} else if (x->cat != NULL) {
		if (!exists_after(x, path)) {
			report(x, TALLY_EINVAL, line, "the command of category "
			    "'%s' names '%s', which does not exist",
			    x->cat->name, path);
			x->res->broken++;
		}
	} else if ((mv = moved(x->plan, path)) >= 0 && x->plan->rewrite) {
		/* The same path twice on a line: each its own bytes. */
		for (from = 0; (line2 = locate_from(x->f, line, path, len,
		    from, &off)) != 0 && claimed(x->res, x->f->name, off); )
			from = off + 1;
		if (line2 == 0) {
			report(x, TALLY_EINVAL, line, "'%s' is moved to '%s' "
			    "but cannot be rewritten here", path,
			    x->plan->dst[mv]);
			x->res->broken++;
		} else if (add_rewrite(x, off, len, line2, (size_t)mv) !=
		    TALLY_OK)
			x->rc = TALLY_ENOMEM;
	} else if (!exists_after(x, path)) {
		report(x, TALLY_EINVAL, line, "'%s' names no file%s", path,
		    "");
		x->res->broken++;
	}
	free(path);
}

/*
 * Shell words of text, quotes removed, each with the line it starts on
 * (text starts at line0): '...', "..." (with \ escapes), \ outside
 * quotes, \ newline joined, # comments at a word's start, and the
 * operators ; & | < > ( ) ` as separators.
 */
static void
shell_words(struct rctx *x, const char *text, size_t n, long line0)
{
	const char *p = text, *end = text + n;
	long line = line0, wline = line0;
	int in = 0;
	char q;

	tally_buf_reset(&x->word);
	while (p < end && x->rc == TALLY_OK) {
		if (*p == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2;
			line++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    strchr(";&|<>()`", *p) != NULL) {
			if (in) {
				tally_buf_addc(&x->word, '\0');
				word(x, x->word.data, wline);
				tally_buf_reset(&x->word);
				in = 0;
			}
			if (*p == '\n')
				line++;
			p++;
			continue;
		}
		if (!in && *p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (!in)
			wline = line;
		in = 1;
		if (*p == '\'' || *p == '"') {
			q = *p++;
			while (p < end && *p != q) {
				if (q == '"' && *p == '\\' && p + 1 < end &&
				    strchr("\"\\$`\n", p[1]) != NULL) {
					if (p[1] == '\n') {
						p += 2;
						line++;
						continue;
					}
					p++;
				}
				if (*p == '\n')
					line++;
				if (tally_buf_addc(&x->word, *p++) != TALLY_OK)
					x->rc = TALLY_ENOMEM;
			}
			if (p < end)
				p++;
			continue;
		}
		if (*p == '\\' && p + 1 < end)
			p++;
		if (tally_buf_addc(&x->word, *p++) != TALLY_OK)
			x->rc = TALLY_ENOMEM;
	}
	if (in && x->rc == TALLY_OK) {
		tally_buf_addc(&x->word, '\0');
		word(x, x->word.data, wline);
	}
	tally_buf_reset(&x->word);
}

/* A whole value as one word (a path in a list, say). */
static void
one_word(struct rctx *x, const char *s, long line)
{
	if (strchr(s, '\n') == NULL)
		word(x, s, line);
}

/* YAML: shell in run:/script: values, any other value as one word. */
static int
shell_key(const char *k)
{
	static const char *const keys[] = {
		"run", "script", "before_script", "after_script", "entry",
		"command", "commands",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static void
yaml_walk(struct rctx *x, const struct ynode *y, int shell)
{
	size_t i;

	if (y == NULL || x->rc != TALLY_OK)
		return;
	switch (y->type) {
	case Y_SCALAR:
		if (shell)
			shell_words(x, y->s, strlen(y->s), y->line + y->block);
		else
			one_word(x, y->s, y->line);
		break;
	case Y_SEQ:
		for (i = 0; i < y->n; i++)
			yaml_walk(x, y->kids[i], shell);
		break;
	case Y_MAP:
		for (i = 0; i + 1 < y->n; i += 2)
			yaml_walk(x, y->kids[i + 1], y->kids[i]->type ==
			    Y_SCALAR && shell_key(y->kids[i]->s));
		break;
	}
}

static void
read_yaml(struct rctx *x)
{
	struct ynode *root = NULL;
	struct tally_error e;

	tally_error_init(&e, x->f->name);
	if (yaml_tree_lenient(x->f->text, x->f->len, &root, &e) != TALLY_OK) {
		if (e.message[0] != '\0' && x->o->diag)
			x->o->diag(x->o->arg, TALLY_OK, &e);
		return;
	}
	yaml_walk(x, root, 0);
	ynode_free(root);
}

/* The INI keys whose values name test paths or run commands. */
static int
ini_key(const char *k, size_t n)
{
	static const char *const keys[] = {
		"commands", "commands_pre", "commands_post", "testpaths",
		"addopts", "changedir", "python_files", "norecursedirs",
	};
	size_t i;

	while (n > 0 && (k[n - 1] == ' ' || k[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && strncmp(k, keys[i], n) == 0)
			return 1;
	return 0;
}

/*
 * INI (tox.ini, pytest.ini, setup.cfg): the values of the keys ini_key()
 * knows, continuation lines included, as shell words.
 */
static void
read_ini(struct rctx *x)
{
	const char *l, *end, *v;
	size_t i;
	int keep = 0;

	for (i = 0; i < x->f->nlines && x->rc == TALLY_OK; i++) {
		l = x->f->line[i];
		end = i + 1 < x->f->nlines ? x->f->line[i + 1] : x->f->text +
		    x->f->len;
		v = l;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v == end || *v == '#' || *v == ';')
			continue;
		if (*v == '[') {
			keep = 0;
			continue;
		}
		if (v == l) {	/* key = value, or key: value */
			while (v < end && *v != '=' && *v != ':')
				v++;
			if (v == end) {
				keep = 0;
				continue;
			}
			keep = ini_key(l, (size_t)(v - l));
			v++;
		}
		if (keep)
			shell_words(x, v, (size_t)(end - v), (long)i + 1);
	}
}

/* TOML (pyproject.toml): every string, as shell words. */
static void
read_toml(struct rctx *x)
{
	const char *p = x->f->text, *end = p + x->f->len, *s;
	long line = 1;
	char q;

	while (p < end && x->rc == TALLY_OK) {
		if (*p == '\n')
			line++;
		if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (*p != '"' && *p != '\'') {
			p++;
			continue;
		}
		q = *p++;
		for (s = p; p < end && *p != q && *p != '\n'; p++)
			if (q == '"' && *p == '\\' && p + 1 < end)
				p++;
		shell_words(x, s, (size_t)(p - s), line);
		if (p < end && *p == q)
			p++;
	}
}

/*
 * JSON: the values of "scripts" in package.json as shell words, every
 * string value of any other JSON file as one word.  A small scanner:
 * strings, nesting and lines are all it needs.
 */
static void
read_json(struct rctx *x, int package)
{
	const char *p = x->f->text, *end = p + x->f->len;
	struct tally_buf key;
	long line = 1, sline;
	int depth = 0, scripts_depth = -1, is_key, expect_key[64] = { 0 };
	int after_colon = 0;

	tally_buf_init(&key);
	while (p < end && x->rc == TALLY_OK) {
		switch (*p) {
		case '\n':
			line++;
			break;
		case '{':
		case '[':
			if (depth < 63)
				expect_key[depth + 1] = *p == '{';
			depth++;
			after_colon = 0;
			break;
		case '}':
		case ']':
			if (depth == scripts_depth)
				scripts_depth = -1;
			depth--;
			break;
		case ':':
			after_colon = 1;
			break;
		case ',':
			after_colon = 0;
			break;
		case '"':
			sline = line;
			is_key = depth > 0 && depth < 64 && expect_key[depth] &&
			    !after_colon;
			tally_buf_reset(&x->word);
			for (++p; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end) {
					p++;
					if (tally_buf_addc(&x->word, *p == 'n' ?
					    '\n' : *p == 't' ? '\t' : *p) !=
					    TALLY_OK)
						x->rc = TALLY_ENOMEM;
					continue;
				}
				if (tally_buf_addc(&x->word, *p) != TALLY_OK)
					x->rc = TALLY_ENOMEM;
			}
			if (x->rc != TALLY_OK || tally_buf_addc(&x->word, '\0') !=
			    TALLY_OK) {
				x->rc = TALLY_ENOMEM;
				break;
			}
			if (is_key) {
				tally_buf_reset(&key);
				if (tally_buf_adds(&key, x->word.data) !=
				    TALLY_OK)
					x->rc = TALLY_ENOMEM;
			} else if (package && scripts_depth == depth &&
			    after_colon) {
				/* shell_words reuses the word buffer. */
				char *v = strdup(x->word.data);

				if (v == NULL)
					x->rc = TALLY_ENOMEM;
				else
					shell_words(x, v, strlen(v), sline);
				free(v);
			} else if (!package) {
				char *v = strdup(x->word.data);

				if (v == NULL)
					x->rc = TALLY_ENOMEM;
				else
					one_word(x, v, sline);
				free(v);
			}
			break;
		default:
			break;
		}
		/* "scripts": { at the top level. */
		if (package && *p == '{' && depth == 2 && key.data != NULL &&
		    strcmp(key.data, "scripts") == 0 && scripts_depth < 0)
			scripts_depth = 2;
		if (p < end)
			p++;
	}
	tally_buf_free(&key);
}

/* Read a reference file into x->f; 0 when it is not there. */
static int
load(struct rctx *x, struct refs_file *f, int must)
{
	struct tally_buf b;
	struct stat st;
	const char *base;
	char chunk[8192];
	ssize_t n;
	size_t i, k;
	int dfd, fd, rc;

	if ((rc = fs_openparent(x->rootfd, f->name, &dfd, &base, x->err)) !=
	    TALLY_OK) {
		if (rc == TALLY_EIO && x->err->sys_errno == ENOENT && !must)
			return 0;
		return rc;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd == -1) {
		if (errno == ENOENT && !must)
			return 0;
		return fs_error(x->err, "cannot read", f->name);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)MAX_REF_FILE) {
		close(fd);
		if (!must)
			return 0;
		return tally_error_set(x->err, TALLY_EINVAL, 0, 0, "cannot read "
		    "'%s': not a regular file of at most %u bytes", f->name,
		    MAX_REF_FILE);
	}
	tally_buf_init(&b);
	rc = TALLY_OK;
	while (rc == TALLY_OK && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			rc = fs_error(x->err, "cannot read", f->name);
		else if (tally_buf_add(&b, chunk, (size_t)n) != TALLY_OK)
			rc = tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
	}
	close(fd);
	if (rc == TALLY_OK && tally_buf_addc(&b, '\0') != TALLY_OK)
		rc = tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if (rc != TALLY_OK) {
		tally_buf_free(&b);
		return rc;
	}
	f->len = b.len - 1;
	f->text = tally_buf_detach(&b);
	for (k = 1, i = 0; i < f->len; i++)
		k += f->text[i] == '\n' && i + 1 < f->len;
	if ((f->line = calloc(k, sizeof(*f->line))) == NULL) {
		free(f->text);
		f->text = NULL;
		return tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	f->line[0] = f->text;
	for (k = 1, i = 0; i < f->len; i++)
		if (f->text[i] == '\n' && i + 1 < f->len)
			f->line[k++] = f->text + i + 1;
	f->nlines = k;
	return 1;
}

static int
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Read one reference file by the kind its name says. */
static int
one_file(struct rctx *x, const char *name, int must)
{
	struct refs_file *f;
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	struct refs_result *r = x->res;
	int rc;

	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].name, name) == 0)
			return TALLY_OK;
	if ((r->nfiles & 15) == 0) {
		f = realloc(r->files, (r->nfiles + 16) * sizeof(*f));
		if (f == NULL)
			return tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		r->files = f;
	}
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	if ((f->name = strdup(name)) == NULL)
		return tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if ((rc = load(x, f, must)) <= 0) {
		free(f->name);
		return rc;
	}
	r->nfiles++;
	x->f = f;
	if (ends(base, ".yml") || ends(base, ".yaml"))
		read_yaml(x);
	else if (ends(base, ".ini") || ends(base, ".cfg"))
		read_ini(x);
	else if (ends(base, ".toml"))
		read_toml(x);
	else if (ends(base, ".json"))
		read_json(x, strcmp(base, "package.json") == 0);
	else	/* Makefiles, *.mk, shell scripts: shell words. */
		shell_words(x, f->text, f->len, 1);
	if (x->rc != TALLY_OK)
		return tally_error_set(x->err, x->rc, 0, 0, "out of memory");
	return TALLY_OK;
}

/* Files in the directory dir (relative to the root) ending in suffix. */
static int
dir_files(struct rctx *x, const char *dir, const char *s1, const char *s2)
{
	struct tally_buf b;
	struct dirent *d;
	char **names = NULL, **v;
	size_t n = 0, i;
	DIR *dp;
	int fd, rc;

	if ((rc = fs_opendir(x->rootfd, dir, 0, &fd, x->err)) != TALLY_OK)
		return rc == TALLY_EIO && x->err->sys_errno == ENOENT ?
		    TALLY_OK : rc;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return fs_error(x->err, "cannot read directory", dir);
	}
	rc = TALLY_OK;
	while (rc == TALLY_OK && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || !(ends(d->d_name, s1) ||
		    (s2 && ends(d->d_name, s2))))
			continue;
		if ((v = realloc(names, (n + 1) * sizeof(*v))) == NULL ||
		    (v[n] = strdup(d->d_name)) == NULL) {
			if (v != NULL)
				names = v;
			rc = tally_error_set(x->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
			break;
		}
		names = v;
		n++;
	}
	closedir(dp);
	/* In name order, so that messages come in a stable order. */
	for (i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0;
		    k--) {
			char *t = names[k];

			names[k] = names[k - 1];
			names[k - 1] = t;
		}
	tally_buf_init(&b);
	for (i = 0; i < n; i++) {
		if (rc == TALLY_OK) {
			tally_buf_reset(&b);
			if (tally_buf_printf(&b, "%s%s%s", dir, *dir ? "/" : "",
			    names[i]) != TALLY_OK)
				rc = tally_error_set(x->err, TALLY_ENOMEM, 0,
				    0, "out of memory");
			else
				rc = one_file(x, b.data, 0);
		}
		free(names[i]);
	}
	free(names);
	tally_buf_free(&b);
	return rc;
}

/* The category commands: every path they name must be there. */
static int
commands(struct rctx *x, const struct tally_rules *r)
{
	struct refs_file cmd;
	size_t i;

	for (i = 0; i < tally_rules_ncategories(r) && x->rc == TALLY_OK; i++) {
		if (!x->plan->used[i])
			continue;
		x->cat = tally_rules_category(r, i);
		memset(&cmd, 0, sizeof(cmd));
		cmd.name = (char *)tally_rules_name(r);
		x->f = &cmd;
		shell_words(x, x->cat->command, strlen(x->cat->command),
		    x->cat->line);
	}
	x->cat = NULL;
	if (x->rc != TALLY_OK)
		return tally_error_set(x->err, x->rc, 0, 0, "out of memory");
	return TALLY_OK;
}

int
refs_check(int rootfd, const struct tally_rules *r,
    const struct refs_plan *plan, const struct tally_organize_opts *o,
    struct refs_result *res, struct tally_error *err)
{
	static const char *const top[] = {
		".gitlab-ci.yml", "Makefile", "GNUmakefile", "makefile",
		"tox.ini", "pytest.ini", "setup.cfg", "pyproject.toml",
		"package.json", ".pre-commit-config.yaml",
	};
	struct rctx x;
	size_t i;
	int rc = TALLY_OK;

	memset(&x, 0, sizeof(x));
	memset(res, 0, sizeof(*res));
	x.rootfd = rootfd;
	x.tests = tally_rules_tests_dir(r);
	x.plan = plan;
	x.o = o;
	x.res = res;
	x.err = err;
	tally_buf_init(&x.word);
	rc = dir_files(&x, ".github/workflows", ".yml", ".yaml");
	for (i = 0; i < sizeof(top) / sizeof(top[0]) && rc == TALLY_OK; i++)
		rc = one_file(&x, top[i], 0);
	if (rc == TALLY_OK)
		rc = dir_files(&x, "", ".mk", NULL);
	for (i = 0; i < tally_rules_nreferences(r) && rc == TALLY_OK; i++)
		rc = one_file(&x, tally_rules_reference(r, i), 1);
	if (rc == TALLY_OK)
		rc = commands(&x, r);
	tally_buf_free(&x.word);
	return rc;
}

void
refs_result_free(struct refs_result *res)
{
	size_t i;

	for (i = 0; i < res->nfiles; i++) {
		free(res->files[i].name);
		free(res->files[i].text);
		free(res->files[i].line);
	}
	free(res->files);
	for (i = 0; i < res->nrw; i++)
		free(res->rw[i].file);
	free(res->rw);
	memset(res, 0, sizeof(*res));
}
