/*
 * lib/organize/organize.c: tally organize.  Plan (walk the tests directory,
 * classify every test file, work out every destination and refuse
 * collisions), then apply the plan step by step under a lock with a
 * write-ahead journal (lib/organize/journal.c), stage the moves in git, and write
 * the Markdown index.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tally/organize.h>
#include <tally/output.h>

#include "escape.h"
#include "organize_int.h"

#define MAX_WALK_DEPTH	32

/* A test file found by the walk. */
struct ent {
	char		*path;		/* relative to the root */
	char		*dest;		/* where it goes, NULL when in place */
	const struct tally_category *cat;
	struct stat	 st;
	int		 stay;		/* classified, never moved */
};

struct plan {
	struct ent	*e;
	size_t		 n;
	struct jentry	*steps;		/* mkdir and marker steps */
	size_t		 nsteps;
	size_t		 problems;
};

struct ctx {
	const struct tally_organize_opts *o;
	const char	*root;
	const struct tally_rules *r;
	int		 rootfd;
	int		 lockfd;
	struct plan	 p;
	struct tally_buf content;
	struct tally_error *err;
};

static void	warn_at(struct ctx *, const char *, long, const char *,
		    const char *, const char *);

static void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->e[i].path);
		free(p->e[i].dest);
	}
	free(p->e);
	for (i = 0; i < p->nsteps; i++) {
		free(p->steps[i].a);
		free(p->steps[i].b);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

static void
problem(struct ctx *c, int status, const char *file, const char *fmt,
    const char *a, const char *b)
{
	struct tally_error e;

	tally_error_init(&e, file);
	tally_error_set(&e, status, 0, 0, fmt, a, b);
	if (status != TALLY_OK)
		c->p.problems++;
	if (c->o->diag)
		c->o->diag(c->o->arg, status, &e);
}

struct loader {
	struct ctx	*c;
	int		 dirfd;
	const char	*name;
	const char	*path;
};

static int
load_content(void *arg, const char **data, size_t *len,
    struct tally_error *err)
{
	struct loader *l = arg;
	struct tally_buf *b = &l->c->content;
	struct stat st;
	ssize_t n;
	int fd;

	tally_buf_reset(b);
	if (tally_buf_reserve(b, TALLY_RULES_MAX_CONTENT + 1) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	fd = openat(l->dirfd, l->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return fs_error(err, "cannot read", l->path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tally_error_set(err, TALLY_EIO, 0, 0,
		    "cannot read '%s': not a regular file", l->path);
	}
	while (b->len < TALLY_RULES_MAX_CONTENT) {
		n = read(fd, b->data + b->len, TALLY_RULES_MAX_CONTENT - b->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return fs_error(err, "cannot read", l->path);
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	close(fd);
	b->data[b->len] = '\0';
	*data = b->data;
	*len = b->len;
	return TALLY_OK;
}

static int
add_ent(struct ctx *c, const char *path, const struct tally_category *cat,
    const struct stat *st, int stay)
{
	struct ent *v;

	if ((c->p.n & 63) == 0) {
		v = realloc(c->p.e, (c->p.n + 64) * sizeof(*v));
		if (v == NULL)
			return TALLY_ENOMEM;
		c->p.e = v;
	}
	memset(&c->p.e[c->p.n], 0, sizeof(struct ent));
	if ((c->p.e[c->p.n].path = strdup(path)) == NULL)
		return TALLY_ENOMEM;
	c->p.e[c->p.n].cat = cat;
	c->p.e[c->p.n].st = *st;
	c->p.e[c->p.n].stay = stay;
	c->p.n++;
	return TALLY_OK;
}

/*
 * Walk the directory dirfd (rel below the tests directory, "" at its
 * top), classifying every test file.
 */
static int
walk(struct ctx *c, int dirfd, const char *rel, int depth)
{
	const struct tally_category *cat;
	struct tally_error *err = c->err;
	struct tally_buf sub, full;
	struct loader l;
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd, rc = TALLY_OK, what, stay;
	const char *tests = tally_rules_tests_dir(c->r);

	if (depth > MAX_WALK_DEPTH)
		return tally_error_set(err, TALLY_ELIMIT, 0, 0,
		    "directories nested deeper than %d below '%s'",
		    MAX_WALK_DEPTH, tests);
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return fs_error(err, "cannot read directory", tests);
	}
	tally_buf_init(&sub);
	tally_buf_init(&full);
	while (rc == TALLY_OK && (errno = 0, d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		tally_buf_reset(&sub);
		tally_buf_reset(&full);
		if (tally_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "",
		    d->d_name) != TALLY_OK || tally_buf_printf(&full, "%s/%s",
		    tests, sub.data) != TALLY_OK) {
			rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
			break;
		}
		if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = fs_error(err, "cannot examine", full.data);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = tally_rules_select(c->r, sub.data, 1, &what, err);
			if (rc != TALLY_OK || what == TALLY_RULES_EXCLUDED)
				continue;
			fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1) {
				rc = fs_error(err, "cannot open", full.data);
				break;
			}
			rc = walk(c, fd, sub.data, depth + 1);
			close(fd);
			continue;
		}
		if ((rc = tally_rules_select(c->r, sub.data, 0, &what, err)) !=
		    TALLY_OK || what != TALLY_RULES_TEST)
			continue;
		if (!S_ISREG(st.st_mode)) {
			problem(c, TALLY_OK, full.data, "skipping %s%s",
			    S_ISLNK(st.st_mode) ? "symbolic link" :
			    "non-regular file", "");
			continue;
		}
		l.c = c;
		l.dirfd = dirfd;
		l.name = d->d_name;
		l.path = full.data;
		rc = tally_rules_match_stay(c->r, sub.data, load_content, &l,
		    &cat, &stay, err);
		if (rc != TALLY_OK) {
			snprintf(err->file, sizeof(err->file), "%s",
			    full.data);
			break;
		}
		if (cat != NULL && (rc = add_ent(c, full.data, cat, &st,
		    stay)) != TALLY_OK)
			rc = tally_error_set(err, rc, 0, 0, "out of memory");
	}
	if (rc == TALLY_OK && d == NULL && errno != 0)
		rc = fs_error(err, "cannot read directory", tests);
	closedir(dp);
	tally_buf_free(&sub);
	tally_buf_free(&full);
	return rc;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->path,
	    ((const struct ent *)b)->path);
}

static int
by_dest(const void *a, const void *b)
{
	const struct ent *x = *(const struct ent *const *)a;
	const struct ent *y = *(const struct ent *const *)b;

	return strcmp(x->dest, y->dest);
}

static int
add_step(struct plan *p, enum tally_organize_kind kind, const char *a,
    const char *b)
{
	struct jentry *v;
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		if (p->steps[i].kind == kind && strcmp(p->steps[i].a, a) == 0)
			return TALLY_OK;
	if ((v = realloc(p->steps, (p->nsteps + 1) * sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	p->steps = v;
	memset(&v[p->nsteps], 0, sizeof(*v));
	v[p->nsteps].kind = kind;
	if ((v[p->nsteps].a = strdup(a)) == NULL ||
	    (b && (v[p->nsteps].b = strdup(b)) == NULL)) {
		free(v[p->nsteps].a);
		return TALLY_ENOMEM;
	}
	p->nsteps++;
	return TALLY_OK;
}

/*
 * The steps that make category directory dir (relative to the root)
 * ready: a mkdir per missing component, then its marker.  Refuses
 * symlinks and non-directories in the way.
 */
static int
plan_dir(struct ctx *c, const struct tally_category *cat, const char *dir)
{
	struct tally_buf b;
	struct stat st;
	const char *p = dir;
	int fd = -1, rc = TALLY_OK, missing = 0;

	tally_buf_init(&b);
	/* Each component, outermost first: missing ones are made. */
	do {
		p = strchr(p + 1, '/');
		tally_buf_reset(&b);
		if (tally_buf_add(&b, dir, p ? (size_t)(p - dir) :
		    strlen(dir)) != TALLY_OK)
			goto nomem;
		if (!missing) {
			rc = fs_opendir(c->rootfd, b.data, 0, &fd, c->err);
			if (rc == TALLY_EIO && c->err->sys_errno == ENOENT)
				missing = 1;
			else if (rc != TALLY_OK)
				goto out;
			else if (p != NULL) {
				close(fd);
				fd = -1;
			}
		}
		if (missing && add_step(&c->p, TALLY_ORGANIZE_MKDIR, b.data,
		    NULL) != TALLY_OK)
			goto nomem;
	} while (p != NULL);
	rc = TALLY_OK;
	if (cat->marker != NULL) {
		tally_buf_reset(&b);
		if (tally_buf_printf(&b, "%s/%s", dir, cat->marker) != TALLY_OK)
			goto nomem;
		if (missing || fstatat(fd, cat->marker, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			if (!missing && errno != ENOENT) {
				rc = fs_error(c->err, "cannot examine", b.data);
				goto out;
			}
			if (add_step(&c->p, TALLY_ORGANIZE_MARKER, b.data,
			    ".tally-marker.tmp") != TALLY_OK)
				goto nomem;
			/* The category, for the marker's text. */
			c->p.steps[c->p.nsteps - 1].ino = (size_t)(cat -
			    tally_rules_category(c->r, 0));
		}
	}
out:
	if (fd != -1)
		close(fd);
	tally_buf_free(&b);
	return rc;
nomem:
	rc = tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
	goto out;
}

/* Does the category directory dir (below tests) hold path? */
static int
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int
make_plan(struct ctx *c)
{
	const char *tests = tally_rules_tests_dir(c->r), *base;
	const struct tally_category *cat;
	struct tally_error *err = c->err;
	struct tally_buf b;
	struct ent **dv = NULL;
	struct stat st;
	size_t i, j, nd = 0;
	char *dir;
	int fd, rc, used;

	if ((rc = fs_opendir(c->rootfd, tests, 0, &fd, err)) != TALLY_OK) {
		if (rc == TALLY_EIO && err->sys_errno == ENOENT)
			return tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "no tests directory '%s'", tests);
		return rc;
	}
	rc = walk(c, fd, "", 0);
	close(fd);
	if (rc != TALLY_OK)
		return rc;
	qsort(c->p.e, c->p.n, sizeof(*c->p.e), by_path);
	tally_buf_init(&b);
	for (i = 0; i < c->p.n; i++) {
		struct ent *e = &c->p.e[i];

		tally_buf_reset(&b);
		if (tally_buf_printf(&b, "%s/%s", tests, e->cat->dir) !=
		    TALLY_OK)
			goto nomem;
		if (e->stay || under(e->path, b.data))
			continue;
		base = strrchr(e->path, '/') + 1;
		if (tally_buf_printf(&b, "/%s", base) != TALLY_OK ||
		    (e->dest = strdup(b.data)) == NULL)
			goto nomem;
	}
	/* Two sources with one destination, or a destination taken. */
	if ((dv = calloc(c->p.n + 1, sizeof(*dv))) == NULL)
		goto nomem;
	for (i = 0; i < c->p.n; i++)
		if (c->p.e[i].dest != NULL)
			dv[nd++] = &c->p.e[i];
	qsort(dv, nd, sizeof(*dv), by_dest);
	for (i = 0; i < nd; i++) {
		if (i > 0 && strcmp(dv[i]->dest, dv[i - 1]->dest) == 0) {
			problem(c, TALLY_EINVAL, dv[i]->dest,
			    "both '%s' and '%s' would move here",
			    dv[i - 1]->path, dv[i]->path);
			continue;
		}
		rc = fs_openparent(c->rootfd, dv[i]->dest, &fd, &base, err);
		if (rc == TALLY_EIO && err->sys_errno == ENOENT)
			continue;
		if (rc != TALLY_OK) {
			problem(c, rc, dv[i]->dest, "%s%s", err->message, "");
			continue;
		}
		if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			problem(c, TALLY_EINVAL, dv[i]->dest, "already exists; "
			    "not moving '%s' here%s", dv[i]->path, "");
		close(fd);
	}
	free(dv);
	/* Directories and markers of the categories that hold files. */
	for (j = 0; j < tally_rules_ncategories(c->r); j++) {
		cat = tally_rules_category(c->r, j);
		for (used = 0, i = 0; i < c->p.n && !used; i++)
			used = c->p.e[i].cat == cat && !c->p.e[i].stay;
		if (!used)
			continue;
		tally_buf_reset(&b);
		if (tally_buf_printf(&b, "%s/%s", tests, cat->dir) != TALLY_OK)
			goto nomem;
		if ((dir = strdup(b.data)) == NULL)
			goto nomem;
		rc = plan_dir(c, cat, dir);
		if (rc != TALLY_OK)
			problem(c, rc, dir, "%s%s", err->message, "");
		free(dir);
		if (rc == TALLY_ENOMEM)
			break;
	}
	tally_buf_free(&b);
	tally_error_init(err, "");
	if (rc == TALLY_ENOMEM)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	if (c->p.problems > 0)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "%zu problem%s in the plan; nothing moved", c->p.problems,
		    c->p.problems == 1 ? "" : "s");
	return TALLY_OK;
nomem:
	tally_buf_free(&b);
	return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static void
report_step(struct ctx *c, const struct jentry *s, const char *cat)
{
	struct tally_organize_action a;

	if (c->o->action == NULL)
		return;
	memset(&a, 0, sizeof(a));
	a.kind = s->kind;
	a.path = s->a;
	a.dest = s->kind == TALLY_ORGANIZE_MOVE ? s->b : NULL;
	a.category = cat;
	c->o->action(c->o->arg, &a);
}

static size_t
count_steps(const struct plan *p)
{
	size_t i, n = p->nsteps;

	for (i = 0; i < p->n; i++)
		n += p->e[i].dest != NULL;
	return n;
}

/* Steps. */

static int
do_mkdir(struct ctx *c, const char *rel)
{
	const char *base;
	int fd, rc;

	if ((rc = fs_openparent(c->rootfd, rel, &fd, &base, c->err)) !=
	    TALLY_OK)
		return rc;
	rc = TALLY_OK;
	if (mkdirat(fd, base, 0777) == -1 && errno != EEXIST)
		rc = fs_error(c->err, "cannot create directory", rel);
	else if (fsync(fd) == -1)
		rc = fs_error(c->err, "cannot sync directory of", rel);
	close(fd);
	return rc;
}

static int
do_marker(struct ctx *c, struct jentry *s, const struct tally_category *cat)
{
	struct tally_buf b;
	struct stat st;
	const char *base, *p;
	size_t n;
	int dfd, fd, rc;

	if ((rc = fs_openparent(c->rootfd, s->a, &dfd, &base, c->err)) !=
	    TALLY_OK)
		return rc;
	tally_buf_init(&b);
	n = strlen(base);
	/* A Python package gets a docstring saying what it is for. */
	rc = TALLY_OK;
	if (n > 3 && strcmp(base + n - 3, ".py") == 0) {
		rc = tally_buf_adds(&b, "\"\"\"");
		for (p = cat->purpose; *p != '\0' && rc == TALLY_OK; p++) {
			if (*p == '"' || *p == '\\')
				rc = tally_buf_addc(&b, '\\');
			if (rc == TALLY_OK)
				rc = tally_buf_addc(&b, *p);
		}
		if (rc == TALLY_OK)
			rc = tally_buf_adds(&b, "\"\"\"\n");
	}
	if (rc != TALLY_OK) {
		close(dfd);
		return tally_error_set(c->err, rc, 0, 0, "out of memory");
	}
	fd = openat(dfd, s->b, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (fd == -1)
		rc = fs_error(c->err, "cannot create", s->a);
	else {
		if ((b.len > 0 && write(fd, b.data, b.len) != (ssize_t)b.len) ||
		    fsync(fd) == -1 || fstat(fd, &st) == -1)
			rc = fs_error(c->err, "cannot write", s->a);
		if (close(fd) == -1 && rc == TALLY_OK)
			rc = fs_error(c->err, "cannot write", s->a);
		if (rc == TALLY_OK && fs_rename_noreplace(dfd, s->b, dfd,
		    base) == -1)
			rc = fs_error(c->err, "cannot create", s->a);
		if (rc != TALLY_OK)
			unlinkat(dfd, s->b, 0);
		else if (fsync(dfd) == -1)
			rc = fs_error(c->err, "cannot sync directory of", s->a);
		if (rc == TALLY_OK) {
			s->ino = st.st_ino;
			s->size = (unsigned long long)st.st_size;
		}
	}
	tally_buf_free(&b);
	close(dfd);
	return rc;
}

static int
do_move(struct ctx *c, const struct jentry *s)
{
	struct stat st;
	const char *ba, *bb;
	int fa, fb, rc;

	if ((rc = fs_openparent(c->rootfd, s->a, &fa, &ba, c->err)) !=
	    TALLY_OK)
		return rc;
	if ((rc = fs_openparent(c->rootfd, s->b, &fb, &bb, c->err)) !=
	    TALLY_OK) {
		close(fa);
		return rc;
	}
	/* The file planned, not something put in its place since. */
	if (fstatat(fa, ba, &st, AT_SYMLINK_NOFOLLOW) == -1)
		rc = fs_error(c->err, "cannot move", s->a);
	else if (!S_ISREG(st.st_mode) || st.st_ino != s->ino ||
	    (unsigned long long)st.st_dev != s->dev)
		rc = tally_error_set(c->err, TALLY_EINVAL, 0, 0, "'%s' was "
		    "replaced while planning; not moved", s->a);
	else if (fs_rename_noreplace(fa, ba, fb, bb) == -1)
		rc = fs_error(c->err, errno == EXDEV ? "refusing to move "
		    "across file systems" : "cannot move", s->a);
	close(fa);
	close(fb);
	return rc;
}

/* Has a signal we block arrived?  Then the run stops between steps. */
static int
interrupted(void)
{
	sigset_t set;

	if (sigpending(&set) == -1)
		return 0;
	return sigismember(&set, SIGINT) || sigismember(&set, SIGTERM) ||
	    sigismember(&set, SIGHUP);
}

/*
 * One mkdir or marker step: intent, change, outcome, with the crash
 * points between.
 */
static int
step(struct ctx *c, struct journal *j, struct jentry *s, const char *cat)
{
	const struct tally_category *k;
	int rc;

	if (interrupted())
		return tally_error_set(c->err, TALLY_ESTOP, 0, 0,
		    "interrupted; finish with --apply or revert with --undo");
	if ((rc = journal_intent(j, s, c->err)) != TALLY_OK)
		return rc;
	crash_point();
	if (s->kind == TALLY_ORGANIZE_MKDIR)
		rc = do_mkdir(c, s->a);
	else {
		k = tally_rules_category(c->r, (size_t)s->ino);
		rc = do_marker(c, &j->e[j->n - 1], k);
	}
	if (rc != TALLY_OK)
		return rc;
	crash_point();
	if ((rc = journal_mark(j, j->n - 1, "done", c->err)) != TALLY_OK)
		return rc;
	crash_point();
	report_step(c, s, cat);
	return TALLY_OK;
}

/*
 * A Markdown code span holding s (one line): fenced by one backtick more
 * than its longest run of backticks, padded when s starts or ends with
 * one.
 */
static int
code_span(struct tally_buf *b, const char *s)
{
	size_t run = 0, max = 0, i;
	const char *p;
	int rc = TALLY_OK, pad;

	for (p = s; *p != '\0'; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	pad = s[0] == '`' || (s[0] != '\0' && s[strlen(s) - 1] == '`');
	for (i = 0; i <= max && rc == TALLY_OK; i++)
		rc = tally_buf_addc(b, '`');
	if (rc == TALLY_OK && pad)
		rc = tally_buf_addc(b, ' ');
	if (rc == TALLY_OK)
		rc = tally_buf_adds(b, s);
	if (rc == TALLY_OK && pad)
		rc = tally_buf_addc(b, ' ');
	for (i = 0; i <= max && rc == TALLY_OK; i++)
		rc = tally_buf_addc(b, '`');
	return rc;
}

/*
 * A path in the index: a code span, or escaped text when it holds a
 * control character, which a code span cannot keep on one line.
 */
static int
index_path(struct tally_buf *b, const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return tally_esc_md(b, path, TALLY_NTS);
	return code_span(b, path);
}

static int
by_final(const void *a, const void *b)
{
	const struct ent *x = *(const struct ent *const *)a;
	const struct ent *y = *(const struct ent *const *)b;

	return strcmp(x->dest ? x->dest : x->path, y->dest ? y->dest :
	    y->path);
}

/* The Markdown index of the layout the plan leaves, into b. */
static int
make_index(struct ctx *c, struct tally_buf *b0)
{
	const struct tally_category *cat;
	struct tally_buf b = *b0;
	const struct ent **v;
	size_t i, k, nfiles;
	int rc;

	/* By the path each file ends up at, however the plan found it. */
	if ((v = calloc(c->p.n + 1, sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < c->p.n; i++)
		v[i] = &c->p.e[i];
	qsort(v, c->p.n, sizeof(*v), by_final);
	rc = tally_buf_adds(&b, "# Test layout\n\nWritten by tally organize "
	    "from its rules; each category, what it is for, how to run it, "
	    "and its files.\n");
	for (k = 0; k < tally_rules_ncategories(c->r) && rc == TALLY_OK; k++) {
		cat = tally_rules_category(c->r, k);
		for (nfiles = 0, i = 0; i < c->p.n; i++)
			nfiles += c->p.e[i].cat == cat;
		if (nfiles == 0)
			continue;
		rc = tally_buf_adds(&b, "\n## ");
		if (rc == TALLY_OK)
			rc = tally_esc_md(&b, cat->name, TALLY_NTS);
		if (rc == TALLY_OK)
			rc = tally_buf_adds(&b, "\n\n");
		if (rc == TALLY_OK)
			rc = tally_esc_md(&b, cat->purpose, TALLY_NTS);
		if (rc == TALLY_OK)
			rc = tally_buf_adds(&b, "\n\nRun: ");
		if (rc == TALLY_OK)
			rc = code_span(&b, cat->command);
		if (rc == TALLY_OK)
			rc = tally_buf_adds(&b, "\n\n");
		for (i = 0; i < c->p.n && rc == TALLY_OK; i++) {
			if (v[i]->cat != cat)
				continue;
			rc = tally_buf_adds(&b, "- ");
			if (rc == TALLY_OK)
				rc = index_path(&b, v[i]->dest ? v[i]->dest :
				    v[i]->path);
			if (rc == TALLY_OK)
				rc = tally_buf_addc(&b, '\n');
		}
	}
	free(v);
	*b0 = b;
	return rc;
}

static int index_save(struct ctx *, int, const struct tally_buf *);

/* Write the index, remembering in tdir what it was. */
static int
write_index(struct ctx *c, int tdir)
{
	struct tally_output *out;
	struct tally_buf b;
	int rc;

	tally_error_init(c->err, c->o->index);
	tally_buf_init(&b);
	if ((rc = make_index(c, &b)) != TALLY_OK) {
		tally_buf_free(&b);
		return tally_error_set(c->err, rc, 0, 0, "out of memory");
	}
	if ((rc = index_save(c, tdir, &b)) != TALLY_OK) {
		tally_buf_free(&b);
		return rc;
	}
	if ((rc = tally_output_open(&out, c->o->index, c->err)) != TALLY_OK) {
		tally_buf_free(&b);
		return rc;
	}
	fwrite(b.data, 1, b.len, tally_output_file(out));
	tally_buf_free(&b);
	return tally_output_commit(out, c->err);
}

/*
 * What --undo needs to put the index back: .tally/organize.index holds
 * its path (absolute), .tally/organize.index.orig what it held before
 * (absent when there was no index), .tally/organize.index.new what the
 * apply wrote.
 */
#define IDX	"organize.index"
#define IDX_ORIG "organize.index.orig"
#define IDX_NEW	"organize.index.new"

/* Read a whole file (at dfd/name, or path when dfd is AT_FDCWD). */
static int
slurp(int dfd, const char *name, struct tally_buf *b)
{
	char chunk[8192];
	ssize_t k;
	int fd;

	tally_buf_reset(b);
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		if (tally_buf_add(b, chunk, (size_t)k) != TALLY_OK) {
			k = -1;
			break;
		}
	close(fd);
	if (k == 0 && tally_buf_addc(b, '\0') == TALLY_OK) {
		b->len--;
		return 0;
	}
	return -1;
}

static int
spill(int dfd, const char *name, const char *data, size_t len)
{
	int fd, rc = 0;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (fd == -1)
		return -1;
	if ((len > 0 && write(fd, data, len) != (ssize_t)len) || fsync(fd))
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* Before the index is written: remember what it was. */
static int
index_save(struct ctx *c, int tdir, const struct tally_buf *text)
{
	struct tally_buf old, path;
	char *dir, *real, *slash;
	int rc = TALLY_OK, had;

	unlinkat(tdir, IDX, 0);
	unlinkat(tdir, IDX_ORIG, 0);
	unlinkat(tdir, IDX_NEW, 0);
	if (c->o->index == NULL)
		return TALLY_OK;
	tally_buf_init(&old);
	tally_buf_init(&path);
	/* The absolute path, so that --undo finds it from anywhere. */
	if ((dir = strdup(c->o->index)) == NULL)
		goto nomem;
	slash = strrchr(dir, '/');
	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	real = realpath(slash ? dir : ".", NULL);
	free(dir);
	if (real == NULL)
		return fs_error(c->err, "cannot find the directory of",
		    c->o->index);
	rc = tally_buf_printf(&path, "%s/%s", real, strrchr(c->o->index,
	    '/') ? strrchr(c->o->index, '/') + 1 : c->o->index);
	free(real);
	if (rc != TALLY_OK)
		goto nomem;
	had = slurp(AT_FDCWD, c->o->index, &old) == 0;
	if ((had && spill(tdir, IDX_ORIG, old.data, old.len) == -1) ||
	    spill(tdir, IDX_NEW, text->data, text->len) == -1 ||
	    spill(tdir, IDX, path.data, path.len) == -1)
		rc = fs_error(c->err, "cannot save the index in", ".tally");
	tally_buf_free(&old);
	tally_buf_free(&path);
	return rc;
nomem:
	tally_buf_free(&old);
	tally_buf_free(&path);
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/*
 * After a finished undo: the index as it was before the apply, or no
 * index; left alone, with a warning, when it was changed since.
 */
static int
index_undo(struct ctx *c, int tdir)
{
	struct tally_organize_action a;
	struct tally_output *out;
	struct tally_buf path, now, wrote, orig;
	int rc = TALLY_OK, had;

	tally_buf_init(&path);
	tally_buf_init(&now);
	tally_buf_init(&wrote);
	tally_buf_init(&orig);
	if (slurp(tdir, IDX, &path) != 0 || slurp(tdir, IDX_NEW, &wrote) != 0)
		goto out;
	had = slurp(tdir, IDX_ORIG, &orig) == 0;
	if (slurp(AT_FDCWD, path.data, &now) != 0 || now.len != wrote.len ||
	    (now.len > 0 && memcmp(now.data, wrote.data, now.len) != 0)) {
		warn_at(c, path.data, 0, "the index was changed or removed "
		    "since --apply wrote it; left as it is%s%s", "", "");
		goto done;
	}
	memset(&a, 0, sizeof(a));
	a.kind = TALLY_ORGANIZE_INDEX;
	a.path = path.data;
	a.undo = 1;
	if (had) {
		tally_error_init(c->err, path.data);
		if ((rc = tally_output_open(&out, path.data, c->err)) !=
		    TALLY_OK)
			goto out;
		fwrite(orig.data, 1, orig.len, tally_output_file(out));
		if ((rc = tally_output_commit(out, c->err)) != TALLY_OK)
			goto out;
		a.dest = path.data;
	} else if (unlink(path.data) == -1 && errno != ENOENT) {
		rc = fs_error(c->err, "cannot remove", path.data);
		goto out;
	}
	if (c->o->action)
		c->o->action(c->o->arg, &a);
done:
	unlinkat(tdir, IDX, 0);
	unlinkat(tdir, IDX_ORIG, 0);
	unlinkat(tdir, IDX_NEW, 0);
out:
	tally_buf_free(&path);
	tally_buf_free(&now);
	tally_buf_free(&wrote);
	tally_buf_free(&orig);
	return rc;
}

/*
 * Is the index file what the plan's layout gives?  An index out of date
 * or missing is reported and counted in *n.
 */
static int
check_index(struct ctx *c, size_t *n)
{
	struct tally_error e;
	struct tally_buf b, cur;
	char chunk[8192];
	ssize_t k;
	int fd, rc, same = 0;

	tally_buf_init(&b);
	tally_buf_init(&cur);
	if ((rc = make_index(c, &b)) != TALLY_OK)
		goto nomem;
	if ((fd = open(c->o->index, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) !=
	    -1) {
		while ((k = read(fd, chunk, sizeof(chunk))) > 0 &&
		    cur.len <= b.len)
			if (tally_buf_add(&cur, chunk, (size_t)k) != TALLY_OK) {
				close(fd);
				goto nomem;
			}
		close(fd);
		same = k == 0 && cur.len == b.len && (b.len == 0 ||
		    memcmp(cur.data, b.data, b.len) == 0);
	}
	if (!same) {
		tally_error_init(&e, c->o->index);
		tally_error_set(&e, TALLY_EINVAL, 0, 0, "%s; '--apply --index "
		    "%s' writes it", fd == -1 ? "no index" : "the index is "
		    "out of date", c->o->index);
		if (c->o->diag)
			c->o->diag(c->o->arg, TALLY_EINVAL, &e);
		(*n)++;
	}
	tally_buf_free(&b);
	tally_buf_free(&cur);
	return TALLY_OK;
nomem:
	tally_buf_free(&b);
	tally_buf_free(&cur);
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/* The plan as refs.c sees it; the arrays borrow the plan's strings. */
static int
refs_plan_make(struct ctx *c, struct refs_plan *rp)
{
	size_t i, k;
	char *used;

	memset(rp, 0, sizeof(*rp));
	rp->root = c->root;
	rp->rewrite = 1;
	rp->src = calloc(c->p.n + 1, sizeof(*rp->src));
	rp->dst = calloc(c->p.n + 1, sizeof(*rp->dst));
	rp->dirs = calloc(c->p.nsteps + 1, sizeof(*rp->dirs));
	rp->used = used = calloc(tally_rules_ncategories(c->r) + 1, 1);
	if (rp->src == NULL || rp->dst == NULL || rp->dirs == NULL ||
	    used == NULL)
		return tally_error_set(c->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < c->p.n; i++) {
		k = (size_t)(c->p.e[i].cat - tally_rules_category(c->r, 0));
		if (!c->p.e[i].stay)
			used[k] = 1;
		if (c->p.e[i].dest == NULL)
			continue;
		rp->src[rp->nmoves] = c->p.e[i].path;
		rp->dst[rp->nmoves++] = c->p.e[i].dest;
	}
	for (i = 0; i < c->p.nsteps; i++)
		if (c->p.steps[i].kind == TALLY_ORGANIZE_MKDIR)
			rp->dirs[rp->ndirs++] = c->p.steps[i].a;
	return TALLY_OK;
}

static void
refs_plan_free(struct refs_plan *rp)
{
	free(rp->src);
	free(rp->dst);
	free(rp->dirs);
	free((char *)rp->used);
}

/* The new text of the line a rewrite is on, or NULL. */
static char *
rewritten_line(const struct refs_result *res, size_t i,
    const struct refs_plan *rp, char **old)
{
	const struct refs_rewrite *w = &res->rw[i];
	const struct refs_file *f = NULL;
	const char *ls, *le;
	struct tally_buf b;
	size_t k;

	*old = NULL;
	for (k = 0; k < res->nfiles; k++)
		if (strcmp(res->files[k].name, w->file) == 0)
			f = &res->files[k];
	if (f == NULL)
		return NULL;
	for (ls = f->text + w->off; ls > f->text && ls[-1] != '\n'; ls--)
		;
	if ((le = memchr(f->text + w->off, '\n', f->len - w->off)) == NULL)
		le = f->text + f->len;
	while (ls < le && (*ls == ' ' || *ls == '\t'))
		ls++;
	tally_buf_init(&b);
	if (tally_buf_add(&b, ls, (size_t)(f->text + w->off - ls)) !=
	    TALLY_OK || tally_buf_adds(&b, rp->dst[w->move]) != TALLY_OK ||
	    tally_buf_add(&b, f->text + w->off + w->len, (size_t)(le -
	    (f->text + w->off + w->len))) != TALLY_OK ||
	    (*old = strndup(ls, (size_t)(le - ls))) == NULL) {
		tally_buf_free(&b);
		return NULL;
	}
	return tally_buf_detach(&b);
}

/* Python imports and conftest.py scopes that a move changes. */

static void
warn_at(struct ctx *c, const char *file, long line, const char *fmt,
    const char *a, const char *b)
{
	struct tally_error e;

	tally_error_init(&e, file);
	tally_error_set(&e, TALLY_OK, line, 0, fmt, a, b);
	if (c->o->diag)
		c->o->diag(c->o->arg, TALLY_OK, &e);
}

/* "tests/unit/test_a.py" as a module, "tests.unit.test_a"; NULL if not. */
static char *
module_of(const char *path)
{
	size_t n = strlen(path), i;
	char *m;

	if (n < 4 || strcmp(path + n - 3, ".py") != 0 ||
	    (m = strndup(path, n - 3)) == NULL)
		return NULL;
	for (i = 0; m[i] != '\0'; i++)
		if (m[i] == '/')
			m[i] = '.';
	return m;
}

/* The moved file whose old module is the n bytes at mod, or NULL. */
static const struct ent *
moved_module(struct ctx *c, char **mods, const char *mod, size_t n)
{
	size_t i;

	for (i = 0; i < c->p.n; i++)
		if (mods[i] != NULL && strlen(mods[i]) == n &&
		    strncmp(mods[i], mod, n) == 0)
			return &c->p.e[i];
	return NULL;
}

static int
ident(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

/* One line of Python: "import a.b, c" or "from a.b import x, y". */
static void
import_line(struct ctx *c, char **mods, const char *file, long line,
    const char *p, const char *end)
{
	const struct ent *e;
	const char *m, *me, *q;
	struct tally_buf b;
	int from;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	from = (size_t)(end - p) > 5 && strncmp(p, "from ", 5) == 0;
	if (!from && !((size_t)(end - p) > 7 && strncmp(p, "import ", 7) == 0))
		return;
	p += from ? 5 : 7;
	tally_buf_init(&b);
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		for (m = p; p < end && ident(*p); p++)
			;
		me = p;
		if (m == me)
			break;
		if ((e = moved_module(c, mods, m, (size_t)(me - m))) != NULL)
			goto found;
		if (from) {
			/* from tests import test_helpers */
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if ((size_t)(end - p) < 7 || strncmp(p, "import ", 7) != 0)
				break;
			for (p += 7; p < end; ) {
				while (p < end && (*p == ' ' || *p == '\t' ||
				    *p == ',' || *p == '('))
					p++;
				for (q = p; p < end && ident(*p); p++)
					;
				if (q == p)
					break;
				tally_buf_reset(&b);
				if (tally_buf_add(&b, m, (size_t)(me - m)) !=
				    TALLY_OK || tally_buf_addc(&b, '.') !=
				    TALLY_OK || tally_buf_add(&b, q,
				    (size_t)(p - q)) != TALLY_OK)
					break;
				if ((e = moved_module(c, mods, b.data, b.len)) !=
				    NULL)
					goto found;
				/* "as name" */
				while (p < end && *p != ',')
					p++;
			}
			break;
		}
		/* import a as b, c */
		while (p < end && *p != ',')
			p++;
	}
	tally_buf_free(&b);
	return;
found:
	tally_buf_free(&b);
	warn_at(c, file, line, "imports '%s', which the plan moves to '%s'; "
	    "the import is not rewritten", e->path, e->dest);
}

/* Read the file at rel below the root into c->content. */
static int
read_rel(struct ctx *c, const char *rel, const char **data, size_t *len)
{
	struct loader l;
	const char *base;
	int dfd, rc;

	if ((rc = fs_openparent(c->rootfd, rel, &dfd, &base, c->err)) !=
	    TALLY_OK)
		return rc;
	l.c = c;
	l.dirfd = dfd;
	l.name = base;
	l.path = rel;
	rc = load_content(&l, data, len, c->err);
	close(dfd);
	return rc;
}

/*
 * The conftest.py files whose scope a move from a to b leaves (gain
 * unset) or enters (gain set): those in directories above one and not
 * the other.
 */
static void
conftest_scope(struct ctx *c, const struct ent *e, int gain)
{
	const char *from = gain ? e->dest : e->path;
	const char *to = gain ? e->path : e->dest;
	struct tally_buf b;
	struct stat st;
	const char *s;
	size_t n;

	tally_buf_init(&b);
	for (s = strchr(from, '/'); s != NULL; s = strchr(s + 1, '/')) {
		n = (size_t)(s - from);
		/* A directory above both keeps its conftest.py. */
		if (strncmp(to, from, n) == 0 && to[n] == '/')
			continue;
		tally_buf_reset(&b);
		if (tally_buf_add(&b, from, n) != TALLY_OK ||
		    tally_buf_adds(&b, "/conftest.py") != TALLY_OK)
			break;
		if (fstatat(c->rootfd, b.data, &st, AT_SYMLINK_NOFOLLOW) == 0)
			warn_at(c, e->path, 0, gain ? "moving it brings it "
			    "under '%s'%s" : "moving it takes it out of '%s'%s",
			    b.data, gain ? "" : "; its fixtures no longer "
			    "apply");
	}
	tally_buf_free(&b);
}

static int
check_imports(struct ctx *c)
{
	const char *data, *p, *nl;
	char **mods;
	size_t i, len;
	long line;
	int rc = TALLY_OK, any = 0;

	if ((mods = calloc(c->p.n + 1, sizeof(*mods))) == NULL)
		return tally_error_set(c->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < c->p.n; i++)
		if (c->p.e[i].dest != NULL &&
		    (mods[i] = module_of(c->p.e[i].path)) != NULL)
			any = 1;
	for (i = 0; i < c->p.n && rc == TALLY_OK; i++) {
		if (c->p.e[i].dest == NULL)
			continue;
		conftest_scope(c, &c->p.e[i], 0);
		conftest_scope(c, &c->p.e[i], 1);
	}
	for (i = 0; i < c->p.n && rc == TALLY_OK && any; i++) {
		len = strlen(c->p.e[i].path);
		if (len < 4 || strcmp(c->p.e[i].path + len - 3, ".py") != 0)
			continue;
		if ((rc = read_rel(c, c->p.e[i].path, &data, &len)) !=
		    TALLY_OK) {
			/* Unreadable: the plan already read what it needs. */
			tally_error_init(c->err, "");
			rc = TALLY_OK;
			continue;
		}
		for (p = data, line = 1; p < data + len; p = nl + 1, line++) {
			if ((nl = memchr(p, '\n', (size_t)(data + len - p))) ==
			    NULL)
				nl = data + len;
			import_line(c, mods, c->p.e[i].path, line, p, nl);
		}
	}
	for (i = 0; i < c->p.n; i++)
		free(mods[i]);
	free(mods);
	return rc;
}

/*
 * The references of a plan or a check: broken ones go to diag, each
 * rewrite to action.  *n counts both.
 */
static int
check_refs(struct ctx *c, size_t *n)
{
	struct tally_organize_action a;
	struct refs_result res;
	struct refs_plan rp;
	char *from, *to;
	size_t i;
	int rc;

	memset(&res, 0, sizeof(res));
	if ((rc = refs_plan_make(c, &rp)) == TALLY_OK)
		rc = refs_check(c->rootfd, c->r, &rp, c->o, &res, c->err);
	for (i = 0; rc == TALLY_OK && i < res.nrw; i++) {
		if ((to = rewritten_line(&res, i, &rp, &from)) == NULL) {
			free(from);
			rc = tally_error_set(c->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
			break;
		}
		memset(&a, 0, sizeof(a));
		a.kind = TALLY_ORGANIZE_REWRITE;
		a.path = res.rw[i].file;
		a.line = res.rw[i].line;
		a.from = from;
		a.dest = to;
		if (c->o->action)
			c->o->action(c->o->arg, &a);
		free(from);
		free(to);
	}
	if (rc == TALLY_OK)
		*n = res.broken + res.nrw;
	if (rc == TALLY_OK && c->o->broken != NULL)
		*c->o->broken = res.broken;
	refs_result_free(&res);
	refs_plan_free(&rp);
	return rc;
}

/*
 * Rewriting the references of an apply.  The plan reads every reference
 * file once (refs_check()); a file with paths to rewrite gets its new
 * text here, and the text read is what the file must still hold when it
 * is replaced.
 */
struct rwfile {
	char		*name;
	char		*old, *new;
	size_t		 olen, nlen;
};

static void
rwfiles_free(struct rwfile *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].old);
		free(v[i].new);
	}
	free(v);
}

/* In an apply, what the references say is a warning: the moves go on. */
static void
apply_diag(void *arg, int status, const struct tally_error *err)
{
	const struct ctx *c = arg;

	(void)status;
	if (c->o->diag)
		c->o->diag(c->o->arg, TALLY_OK, err);
}

/* The new text of file f: its rewrites, idx[0..n), in offset order. */
static int
new_text(const struct refs_file *f, const struct refs_result *res,
    const struct refs_plan *rp, size_t *idx, size_t n, struct tally_buf *b)
{
	const struct refs_rewrite *w;
	size_t k, i, t, at = 0;
	int rc = TALLY_OK;

	/* In offset order (insertion sort: they come nearly sorted). */
	for (k = 1; k < n; k++)
		for (i = k; i > 0 && res->rw[idx[i - 1]].off >
		    res->rw[idx[i]].off; i--) {
			t = idx[i];
			idx[i] = idx[i - 1];
			idx[i - 1] = t;
		}
	for (k = 0; k < n && rc == TALLY_OK; k++) {
		w = &res->rw[idx[k]];
		if (w->off < at)
			continue;	/* the same bytes, found twice */
		rc = tally_buf_add(b, f->text + at, w->off - at);
		if (rc == TALLY_OK)
			rc = tally_buf_adds(b, rp->dst[w->move]);
		at = w->off + w->len;
	}
	if (rc == TALLY_OK)
		rc = tally_buf_add(b, f->text + at, f->len - at);
	return rc;
}

/*
 * The reference files an apply rewrites, with their texts as read and as
 * they will be.  Broken references are warnings here.
 */
static int
plan_rewrites(struct ctx *c, struct rwfile **out, size_t *nout)
{
	struct tally_organize_opts o = *c->o;
	struct refs_result res;
	struct refs_plan rp;
	struct rwfile *v = NULL;
	struct tally_buf b;
	size_t i, k, n = 0, m, *idx = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	o.diag = apply_diag;
	o.arg = c;
	o.action = NULL;
	memset(&res, 0, sizeof(res));
	tally_buf_init(&b);
	if ((rc = refs_plan_make(c, &rp)) == TALLY_OK)
		rc = refs_check(c->rootfd, c->r, &rp, &o, &res, c->err);
	if (rc != TALLY_OK)
		goto out;
	if ((v = calloc(res.nfiles + 1, sizeof(*v))) == NULL ||
	    (idx = calloc(res.nrw + 1, sizeof(*idx))) == NULL)
		goto nomem;
	for (i = 0; i < res.nfiles; i++) {
		const struct refs_file *f = &res.files[i];

		for (m = 0, k = 0; k < res.nrw; k++)
			if (strcmp(res.rw[k].file, f->name) == 0)
				idx[m++] = k;
		if (m == 0)
			continue;
		tally_buf_reset(&b);
		if (new_text(f, &res, &rp, idx, m, &b) != TALLY_OK ||
		    tally_buf_addc(&b, '\0') != TALLY_OK)
			goto nomem;
		v[n].nlen = b.len - 1;
		v[n].olen = f->len;
		if ((v[n].name = strdup(f->name)) == NULL ||
		    (v[n].old = malloc(f->len + 1)) == NULL ||
		    (v[n].new = tally_buf_detach(&b)) == NULL) {
			n++;
			goto nomem;
		}
		memcpy(v[n].old, f->text, f->len + 1);
		n++;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	goto out;
nomem:
	rc = tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
out:
	rwfiles_free(v, n);
	free(idx);
	tally_buf_free(&b);
	refs_result_free(&res);
	refs_plan_free(&rp);
	return rc;
}

/*
 * Before the first step of a run: every reference file still holds the
 * text the plan read.  A file changed since is reported, and the whole
 * apply refused.
 */
static int
rewrites_unchanged(struct ctx *c, const struct rwfile *v, size_t n)
{
	struct tally_error e;
	struct tally_buf now;
	size_t i, bad = 0;
	int rc = TALLY_OK;

	tally_buf_init(&now);
	for (i = 0; i < n && rc == TALLY_OK; i++) {
		rc = fs_slurp(c->rootfd, v[i].name, &now, c->err);
		if (rc == TALLY_EIO && c->err->sys_errno == ENOENT)
			rc = TALLY_EINVAL;
		if (rc == TALLY_EINVAL || now.len != v[i].olen ||
		    (now.len > 0 && memcmp(now.data, v[i].old, now.len) != 0)) {
			tally_error_init(&e, v[i].name);
			tally_error_set(&e, TALLY_EINVAL, 0, 0, "changed since "
			    "the plan was made; not rewritten");
			if (c->o->diag)
				c->o->diag(c->o->arg, TALLY_EINVAL, &e);
			bad++;
			rc = TALLY_OK;
		}
	}
	tally_buf_free(&now);
	if (rc != TALLY_OK)
		return rc;
	tally_error_init(c->err, "");
	if (bad > 0)
		return tally_error_set(c->err, TALLY_EINVAL, 0, 0, "%zu "
		    "reference file%s changed while the plan was made; nothing "
		    "done", bad, bad == 1 ? "" : "s");
	return TALLY_OK;
}

/*
 * Journal the rewrites of a new run, their texts saved first; each
 * intent is synced and followed by a crash point.
 */
static int
journal_rewrites(struct ctx *c, struct journal *j, const struct rwfile *v,
    size_t n)
{
	struct jentry e;
	char name[64];
	size_t i;
	int rc = TALLY_OK;

	for (i = 0; i < n && rc == TALLY_OK; i++) {
		memset(&e, 0, sizeof(e));
		snprintf(name, sizeof(name), "rewrite.%zu", i + 1);
		e.kind = TALLY_ORGANIZE_REWRITE;
		e.a = v[i].name;
		e.b = name;
		e.size = v[i].olen;
		e.ocrc = journal_crc(v[i].old, v[i].olen);
		e.nsize = v[i].nlen;
		e.ncrc = journal_crc(v[i].new, v[i].nlen);
		if ((rc = rewrite_save(j, &e, v[i].old, v[i].new, c->err)) ==
		    TALLY_OK && (rc = journal_intent(j, &e, c->err)) ==
		    TALLY_OK)
			crash_point();
	}
	return rc;
}

/*
 * Resuming: every rewrite still to do finds its file as the plan read it
 * (or already rewritten); any other is reported and nothing more is done.
 */
static int
rewrites_pending_ok(struct ctx *c, struct journal *j)
{
	struct tally_error e;
	enum rw_state rs;
	size_t i, bad = 0;
	int rc;

	for (i = 0; i < j->n; i++) {
		if (j->e[i].kind != TALLY_ORGANIZE_REWRITE ||
		    j->e[i].state != J_INTENT)
			continue;
		if ((rc = rewrite_state(j, i, c->rootfd, &rs, c->err)) !=
		    TALLY_OK)
			return rc;
		if (rs == RW_OLD || rs == RW_NEW)
			continue;
		tally_error_init(&e, j->e[i].a);
		tally_error_set(&e, TALLY_EINVAL, 0, 0, "%s since the plan was "
		    "made; not rewritten", rs == RW_GONE ? "removed" :
		    "changed");
		if (c->o->diag)
			c->o->diag(c->o->arg, TALLY_EINVAL, &e);
		bad++;
	}
	tally_error_init(c->err, "");
	if (bad > 0)
		return tally_error_set(c->err, TALLY_EINVAL, 0, 0, "%zu "
		    "reference file%s changed since the interrupted run was "
		    "planned; nothing more done: put %s back and run --apply, "
		    "or revert with --undo", bad, bad == 1 ? "" : "s",
		    bad == 1 ? "it" : "them");
	return TALLY_OK;
}

/* The rewrites still to do, after the moves: intent, change, outcome. */
static int
do_rewrites(struct ctx *c, struct journal *j, size_t *nactions)
{
	struct tally_organize_action a;
	enum rw_state rs;
	size_t i;
	int rc;

	for (i = 0; i < j->n; i++) {
		if (j->e[i].kind != TALLY_ORGANIZE_REWRITE ||
		    j->e[i].state != J_INTENT)
			continue;
		if (interrupted())
			return tally_error_set(c->err, TALLY_ESTOP, 0, 0,
			    "interrupted; finish with --apply or revert with "
			    "--undo");
		if ((rc = rewrite_state(j, i, c->rootfd, &rs, c->err)) !=
		    TALLY_OK)
			return rc;
		if (rs == RW_CHANGED || rs == RW_GONE) {
			tally_error_init(c->err, j->e[i].a);
			return tally_error_set(c->err, TALLY_EINVAL, 0, 0, "%s "
			    "since the plan was made; not rewritten: put it "
			    "back and run --apply, or revert with --undo",
			    rs == RW_GONE ? "removed" : "changed");
		}
		if (rs == RW_OLD) {
			if ((rc = rewrite_write(j, i, c->rootfd, 0, c->err)) !=
			    TALLY_OK)
				return rc;
			crash_point();
		}
		if ((rc = journal_mark(j, i, "done", c->err)) != TALLY_OK)
			return rc;
		crash_point();
		memset(&a, 0, sizeof(a));
		a.kind = TALLY_ORGANIZE_REWRITE;
		a.path = j->e[i].a;
		if (c->o->action)
			c->o->action(c->o->arg, &a);
		(*nactions)++;
	}
	return TALLY_OK;
}

/*
 * Lock .tally/organize.lock: exclusively to change the tree, shared to
 * read the journal (a plan never sees a run in progress as interrupted).
 */
static int
lock(int tdir, int exclusive, int *fd, struct tally_error *err)
{
	*fd = openat(tdir, "organize.lock", (exclusive ? O_RDWR | O_CREAT :
	    O_RDONLY) | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd == -1) {
		if (!exclusive && errno == ENOENT)
			return TALLY_OK;
		return fs_error(err, "cannot open lock", ".tally/organize.lock");
	}
	if (flock(*fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == -1) {
		close(*fd);
		*fd = -1;
		if (errno == EWOULDBLOCK)
			return tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "another tally organize run holds the lock "
			    "'.tally/organize.lock'");
		return fs_error(err, "cannot lock", ".tally/organize.lock");
	}
	return TALLY_OK;
}

/* Open <root>/.tally, creating it (with a .gitignore) when create is set. */
static int
open_state(int rootfd, int create, int *fd, struct tally_error *err)
{
	int made = 0, g;

	if (create) {
		if (mkdirat(rootfd, ".tally", 0777) == 0)
			made = 1;
		else if (errno != EEXIST)
			return fs_error(err, "cannot create", ".tally");
	}
	*fd = openat(rootfd, ".tally", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (*fd == -1) {
		if (errno == ENOENT && !create)
			return TALLY_OK;
		if (errno == ELOOP || errno == ENOTDIR)
			return tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "refusing symlink or non-directory '.tally'");
		return fs_error(err, "cannot open", ".tally");
	}
	if (made) {
		g = openat(*fd, ".gitignore", O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0666);
		if (g != -1) {
			if (write(g, "*\n", 2) != 2)
				made = 0;
			close(g);
		}
	}
	return TALLY_OK;
}

#define BATCH	64	/* moves per journal sync */

static void
move_step(const struct ent *e, struct jentry *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = TALLY_ORGANIZE_MOVE;
	s->a = e->path;
	s->b = e->dest;
	s->dev = e->st.st_dev;
	s->ino = e->st.st_ino;
	s->size = (unsigned long long)e->st.st_size;
	s->msec = e->st.st_mtim.tv_sec;
	s->mnsec = e->st.st_mtim.tv_nsec;
}

/*
 * Up to BATCH moves: their intents, one journal sync, then each move and
 * its "done".  A "done" lost in a crash is found again on the disk, so it
 * is synced with the next batch; the directories are synced once at the
 * end of the run.
 */
static int
move_batch(struct ctx *c, struct journal *j, const size_t *idx, size_t n,
    struct dirset *dirs, size_t *nactions)
{
	struct jentry s;
	size_t k, first;
	int rc = TALLY_OK;

	if (interrupted())
		return tally_error_set(c->err, TALLY_ESTOP, 0, 0,
		    "interrupted; finish with --apply or revert with --undo");
	j->lazy = 1;
	for (k = 0; k < n && rc == TALLY_OK; k++) {
		move_step(&c->p.e[idx[k]], &s);
		rc = journal_intent(j, &s, c->err);
		crash_point();
	}
	j->lazy = 0;
	if (rc != TALLY_OK || (rc = journal_sync(j, c->err)) != TALLY_OK)
		return rc;
	first = j->n - n;
	for (k = 0; k < n && rc == TALLY_OK; k++) {
		move_step(&c->p.e[idx[k]], &s);
		if ((rc = do_move(c, &s)) != TALLY_OK)
			break;
		if (dirset_add(dirs, s.a) != TALLY_OK ||
		    dirset_add(dirs, s.b) != TALLY_OK)
			return tally_error_set(c->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		crash_point();
		j->lazy = 1;
		rc = journal_mark(j, first + k, "done", c->err);
		j->lazy = 0;
		crash_point();
		if (rc == TALLY_OK) {
			report_step(c, &s, c->p.e[idx[k]].cat->name);
			(*nactions)++;
		}
	}
	return rc;
}

/*
 * The end of a finished run, or of an earlier one cut short there: tell
 * git (when the journal does not say it was told), record that, and
 * compact the journal.
 */
static int
settle(struct ctx *c, struct journal *j)
{
	int rc;

	if (journal_unstaged(j)) {
		if ((rc = organize_git_stage(c->o, j, j->reverted, c->lockfd,
		    c->err)) != TALLY_OK)
			return rc;
		crash_point();
		if ((rc = journal_end(j, "staged", c->err)) != TALLY_OK)
			return rc;
	}
	return journal_compact(j, c->err);
}

/*
 * Did the interrupted run do nothing but journal its rewrites?  Then it
 * changed nothing, and is planned again.
 */
static int
nothing_done(const struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->e[i].kind != TALLY_ORGANIZE_REWRITE ||
		    j->e[i].state != J_INTENT)
			return 0;
	return 1;
}

static int
apply(struct ctx *c, struct journal *j, size_t *nactions)
{
	struct dirset dirs = { NULL, 0 };
	struct rwfile *rw = NULL;
	size_t i, nb, nrw = 0, batch[BATCH];
	int rc, resumed = journal_pending(j), restart;

	if (resumed && j->undoing)
		return tally_error_set(c->err, TALLY_EINVAL, 0, 0,
		    "an undo was interrupted; finish it with --undo");
	if ((restart = resumed && nothing_done(j)))
		resumed = 0;
	if (resumed && ((rc = journal_recover(j, c->rootfd, c->err)) !=
	    TALLY_OK || (rc = rewrites_pending_ok(c, j)) != TALLY_OK))
		return rc;
	/* An earlier run killed before git learnt of it. */
	if (!resumed && (rc = settle(c, j)) != TALLY_OK)
		return rc;
	if ((rc = make_plan(c)) != TALLY_OK)
		return rc;
	/* A resumed run rewrites what its journal says, no more. */
	if (!resumed && (count_steps(&c->p) > 0 || restart)) {
		if ((rc = plan_rewrites(c, &rw, &nrw)) == TALLY_OK &&
		    (rc = rewrites_unchanged(c, rw, nrw)) == TALLY_OK &&
		    (rc = journal_begin(j, c->err)) == TALLY_OK)
			rc = journal_rewrites(c, j, rw, nrw);
		rwfiles_free(rw, nrw);
		if (rc != TALLY_OK)
			return rc;
	}
	for (i = 0; i < c->p.nsteps && rc == TALLY_OK; i++)
		if ((rc = step(c, j, &c->p.steps[i], NULL)) == TALLY_OK)
			(*nactions)++;
	for (i = 0, nb = 0; i <= c->p.n && rc == TALLY_OK; i++) {
		if (i < c->p.n && c->p.e[i].dest != NULL)
			batch[nb++] = i;
		if (nb == BATCH || (i == c->p.n && nb > 0)) {
			rc = move_batch(c, j, batch, nb, &dirs, nactions);
			nb = 0;
		}
	}
	if (rc == TALLY_OK)
		rc = dirset_sync(&dirs, c->rootfd, c->err);
	dirset_free(&dirs);
	if (rc == TALLY_OK)
		rc = do_rewrites(c, j, nactions);
	if (rc != TALLY_OK)
		return rc;
	if (j->run && !j->committed &&
	    (rc = journal_end(j, "commit", c->err)) != TALLY_OK)
		return rc;
	return TALLY_OK;
}

/* Revert the last apply, and stage what was reverted. */
static int
undo(struct ctx *c, struct journal *j, size_t *nactions)
{
	struct tally_error gerr;
	int rc, g;

	if (!j->run)
		return TALLY_OK;
	if (j->reverted) {	/* perhaps killed before git learnt of it */
		if ((rc = settle(c, j)) == TALLY_OK)
			rc = journal_drop_saved(j, c->err);
		return rc;
	}
	if ((rc = journal_recover(j, c->rootfd, c->err)) != TALLY_OK)
		return rc;
	if ((rc = journal_undo(j, c->rootfd, c->o, nactions, c->err)) ==
	    TALLY_OK) {
		if ((rc = settle(c, j)) == TALLY_OK)
			rc = journal_drop_saved(j, c->err);
		return rc;
	}
	/* Not all undone: stage what was, all the same. */
	tally_error_init(&gerr, "");
	if ((g = organize_git_stage(c->o, j, 1, c->lockfd, &gerr)) !=
	    TALLY_OK && c->o->diag)
		c->o->diag(c->o->arg, g, &gerr);
	return rc;
}

int
tally_organize(const struct tally_organize_opts *o,
    enum tally_organize_mode mode, size_t *nactions, struct tally_error *err)
{
	struct ctx c;
	struct journal j;
	sigset_t block, old;
	const char *root = o->root ? o->root : ".";
	size_t i;
	int rc, tdir = -1, lockfd = -1, changes = mode == TALLY_ORGANIZE_APPLY ||
	    mode == TALLY_ORGANIZE_UNDO;

	*nactions = 0;
	memset(&c, 0, sizeof(c));
	memset(&j, 0, sizeof(j));
	j.fd = -1;
	c.o = o;
	c.root = root;
	c.r = o->rules;
	c.err = err;
	tally_buf_init(&c.content);
	if (mode != TALLY_ORGANIZE_UNDO && c.r == NULL)
		return tally_error_set(err, TALLY_EINVAL, 0, 0, "no rules");
	c.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd == -1)
		return fs_error(err, "cannot open root", root);
	if ((rc = open_state(c.rootfd, mode == TALLY_ORGANIZE_APPLY, &tdir,
	    err)) != TALLY_OK)
		goto out;
	if (tdir == -1 && mode == TALLY_ORGANIZE_UNDO)
		goto out;	/* no journal: nothing to undo */
	if (tdir != -1 && (rc = lock(tdir, changes, &lockfd, err)) != TALLY_OK)
		goto out;
	if (tdir != -1 && (rc = journal_open(&j, tdir, changes, err)) !=
	    TALLY_OK)
		goto out;
	if (!changes) {
		if (journal_pending(&j)) {
			rc = tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "a run was interrupted; finish it with --apply "
			    "or revert it with --undo");
			goto out;
		}
		if (journal_unstaged(&j) && o->diag) {
			struct tally_error w;

			tally_error_init(&w, ".tally/organize.journal");
			tally_error_set(&w, TALLY_OK, 0, 0, "the last %s ended "
			    "before the git index was updated; %s updates it",
			    j.reverted ? "--undo" : "--apply", j.reverted ?
			    "--undo" : "--apply");
			o->diag(o->arg, TALLY_OK, &w);
		}
		if ((rc = make_plan(&c)) != TALLY_OK)
			goto out;
		for (i = 0; i < c.p.nsteps; i++)
			report_step(&c, &c.p.steps[i], NULL);
		for (i = 0; i < c.p.n; i++) {
			struct jentry s = { .kind = TALLY_ORGANIZE_MOVE,
			    .a = c.p.e[i].path, .b = c.p.e[i].dest };

			if (s.b != NULL)
				report_step(&c, &s, c.p.e[i].cat->name);
			else if (c.p.e[i].stay && o->action) {
				struct tally_organize_action a = {
				    .kind = TALLY_ORGANIZE_KEEP,
				    .path = c.p.e[i].path,
				    .category = c.p.e[i].cat->name };

				o->action(o->arg, &a);
			}
		}
		*nactions = count_steps(&c.p);
		if ((rc = check_refs(&c, &i)) == TALLY_OK)
			*nactions += i;
		if (rc == TALLY_OK)
			rc = check_imports(&c);
		if (rc == TALLY_OK && mode == TALLY_ORGANIZE_CHECK &&
		    o->index != NULL)
			rc = check_index(&c, nactions);
		goto out;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	c.lockfd = lockfd;
	if (mode == TALLY_ORGANIZE_UNDO) {
		rc = undo(&c, &j, nactions);
		if (rc == TALLY_OK)
			rc = index_undo(&c, tdir);
	}
	else {
		rc = apply(&c, &j, nactions);
		if (rc == TALLY_OK && o->index != NULL)
			rc = write_index(&c, tdir);
		else if (rc == TALLY_OK && *nactions > 0)
			rc = index_save(&c, tdir, NULL);
		/* Then git: the index file is written even if git fails. */
		if (rc == TALLY_OK) {
			tally_error_init(err, "");
			rc = settle(&c, &j);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	journal_close(&j);
	plan_free(&c.p);
	tally_buf_free(&c.content);
	if (lockfd != -1)
		close(lockfd);
	if (tdir != -1)
		close(tdir);
	close(c.rootfd);
	return rc;
}
