/*
 * lib/read/walk.c: walking the paths a user names (files, directories in
 * sorted order, standard input) and reading what is found, for
 * tally_read_walk() (read.c) and tally_stream_walk() (below).  What a
 * file is read with comes from the walk's ops, so this file names no
 * reader but the stream's.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "walk.h"

#define WALK_DEPTH	64	/* directory levels below an operand */

int
tally_emit_error(struct tally_sink *sink, const char *name,
    const struct tally_error *err)
{
	struct tally_record rec;
	struct tally_error e2;

	tally_record_init(&rec, TALLY_REC_ERROR);
	rec.source = name;
	rec.u.error.line = err->line;
	rec.u.error.column = err->column;
	rec.u.error.message = err->message;
	tally_error_init(&e2, name);
	return tally_sink_record(sink, &rec, &e2);
}

/* Files a directory walk reads. */
static int
wanted(const char *name)
{
	static const char *ext[] = { ".xml", ".json", ".jsonl", ".ndjson",
	    ".csv", ".tap", ".trx" };
	size_t i, n = strlen(name), k;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		k = strlen(ext[i]);
		if (n > k && strcasecmp(name + n - k, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int worse(int a, int b)
{
	/* Trouble outranks success; keep the first real failure. */
	return a != TALLY_OK ? a : b;
}

/*
 * An input that is lost: the diagnostic (through report) and its "error"
 * record in the stream, so that a gate downstream sees it too.
 */
static int
lost(struct walk *w, const char *path, int rc, int sys_errno,
    const char *fmt, const char *what)
{
	struct tally_error err;

	tally_error_init(&err, path);
	err.sys_errno = sys_errno;
	tally_error_set(&err, rc, 0, 0, fmt, what);
	(void)tally_emit_error(w->sink, path, &err);
	w->report(w->arg, rc, &err);
	return rc;
}

/* A directory entry that is not read, said as a warning (status OK). */
static void
skipped(struct walk *w, const char *path, const char *what)
{
	struct tally_error err;

	tally_error_init(&err, path);
	tally_error_set(&err, TALLY_OK, 0, 0, "%s", what);
	w->report(w->arg, TALLY_OK, &err);
}

static int read_one(struct walk *w, const char *path, int explicit,
    int depth);

static int
read_dir(struct walk *w, const char *path, int depth)
{
	struct dirent *de;
	char **names = NULL, **p;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int rc = TALLY_OK, r, e = 0;

	if ((d = opendir(path)) == NULL)
		return lost(w, path, TALLY_EIO, errno, "%s", strerror(errno));
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			e = errno;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((p = realloc(names, cap * sizeof(*p))) == NULL) {
				rc = TALLY_ENOMEM;
				break;
			}
			names = p;
		}
		if (asprintf(&names[n], "%s%s%s", path,
		    path[strlen(path) - 1] == '/' ? "" : "/", de->d_name) < 0) {
			rc = TALLY_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	/* What the directory holds beyond the entries read is lost. */
	if (rc == TALLY_ENOMEM)
		lost(w, path, rc, 0, "%s", "out of memory");
	else if (e != 0)
		rc = lost(w, path, TALLY_EIO, e, "cannot read directory: %s",
		    strerror(e));
	if (rc != TALLY_ENOMEM && n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == TALLY_OK || rc == TALLY_EPARSE || rc == TALLY_EIO ||
		    rc == TALLY_ELIMIT) {
			r = read_one(w, names[i], 0, depth + 1);
			rc = worse(rc, r);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/*
 * Inside a directory only regular files are read: symbolic links are not
 * followed (as find(1) and rsync(1) do by default), and FIFOs, sockets
 * and devices are never opened, so none can block the walk.  A skipped
 * entry is said as a warning when its name is a result file's, or when
 * it is a link to a directory.
 */
static int
walk_wanted(struct walk *w, const char *path, const struct stat *st)
{
	const char *base = strrchr(path, '/');
	struct stat tst;
	int want;

	base = base ? base + 1 : path;
	want = wanted(base);
	if (S_ISREG(st->st_mode))
		return want;
	if (S_ISLNK(st->st_mode)) {
		if (want || (stat(path, &tst) == 0 && S_ISDIR(tst.st_mode)))
			skipped(w, path, "symbolic link not followed");
	} else if (want)
		skipped(w, path, S_ISFIFO(st->st_mode) ? "FIFO skipped" :
		    S_ISSOCK(st->st_mode) ? "socket skipped" :
		    "not a regular file, skipped");
	return 0;
}

static int
any_match(const char *const *pat, size_t n, const char *rel,
    const char *base)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fnmatch(pat[i], rel, 0) == 0 ||
		    fnmatch(pat[i], base, 0) == 0)
			return 1;
	return 0;
}

/*
 * --include and --exclude, on the path below the operand and on the last
 * name: an excluded entry (a directory too) is passed over in silence, and
 * with --include only files matching one are read.
 */
static int
filtered_out(struct walk *w, const char *path, const struct stat *st)
{
	const struct tally_walk *o = w->opts;
	const char *rel = path + strlen(w->root), *base = strrchr(path, '/');

	if (o == NULL || (o->ninclude == 0 && o->nexclude == 0))
		return 0;
	while (*rel == '/')
		rel++;
	base = base ? base + 1 : path;
	if (any_match(o->exclude, o->nexclude, rel, base))
		return 1;
	return o->ninclude > 0 && !S_ISDIR(st->st_mode) &&
	    !any_match(o->include, o->ninclude, rel, base);
}

/* Is st the tool's own output?  0: no; 1: yes; 2: yes, but an operand
 * may name it (the -o target, replaced only at the end). */
static int
own_output(struct walk *w, const struct stat *st)
{
	const struct tally_walk *o = w->opts;
	size_t i;

	for (i = 0; o != NULL && i < o->nown; i++)
		if (o->own[i].dev == st->st_dev && o->own[i].ino == st->st_ino)
			return o->own[i].named_ok ? 2 : 1;
	return 0;
}

static int
read_one(struct walk *w, const char *path, int explicit, int depth)
{
	struct tally_error err;
	struct stat st, fst;
	int fd, rc, skip = 0, own;

	tally_error_init(&err, path);
	if (strcmp(path, "-") == 0) {
		if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
		    own_output(w, &st) == 1)
			return lost(w, path, TALLY_EINVAL, 0, "%s",
			    "input file is output file");
		if (w->jobs != NULL)
			return w->ops->file(w->jobs, STDIN_FILENO, 0, "-",
			    w->fmt, 1);
		rc = w->ops->read(STDIN_FILENO, "-", w->fmt, w->sink, &err,
		    w->report, w->arg, NULL);
		if (rc != TALLY_OK)
			w->report(w->arg, rc, &err);
		return rc;
	}
	if ((explicit ? stat(path, &st) : lstat(path, &st)) != 0)
		return lost(w, path, TALLY_EIO, errno, "%s", strerror(errno));
	if (!explicit && filtered_out(w, path, &st))
		return TALLY_OK;
	if (S_ISDIR(st.st_mode)) {
		if (depth > WALK_DEPTH)
			return lost(w, path, TALLY_ELIMIT, 0, "%s",
			    "directories nested too deep");
		if (!explicit)
			return read_dir(w, path, depth);
		w->root = path;
		w->nread = 0;
		if (w->jobs != NULL) {
			/* Which files were read is known as they are. */
			if ((rc = w->ops->dir_begin(w->jobs)) != TALLY_OK)
				return rc;
			rc = read_dir(w, path, depth);
			return worse(rc, w->ops->dir_end(w->jobs, path,
			    rc == TALLY_OK));
		}
		rc = read_dir(w, path, depth);
		if (rc == TALLY_OK && w->nread == 0)
			skipped(w, path, "no result files in directory");
		return rc;
	}
	if (!explicit && !walk_wanted(w, path, &st))
		return TALLY_OK;
	if ((own = own_output(w, &st)) != 0 && !(explicit && own == 2)) {
		if (explicit)
			return lost(w, path, TALLY_EINVAL, 0, "%s",
			    "input file is output file");
		skipped(w, path, "the output file, not read as input");
		return TALLY_OK;
	}
	/*
	 * A named operand may be a FIFO (a shell's <(...)) and is opened as
	 * asked.  A walked entry is opened without following a link and
	 * without blocking, and must still be the regular file seen above.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | (explicit ? 0 :
	    O_NOFOLLOW | O_NONBLOCK))) < 0)
		return lost(w, path, TALLY_EIO, errno, "%s", strerror(errno));
	if (!explicit && (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) ||
	    fst.st_dev != st.st_dev || fst.st_ino != st.st_ino)) {
		close(fd);
		return lost(w, path, TALLY_EIO, 0, "%s",
		    "changed while being read");
	}
	if (w->jobs != NULL)
		return w->ops->file(w->jobs, fd, 1, path, w->fmt, explicit);
	rc = w->ops->read(fd, path, w->fmt, w->sink, &err, w->report, w->arg,
	    explicit ? NULL : &skip);
	close(fd);
	if (skip) {
		w->report(w->arg, TALLY_OK, &err);
		return TALLY_OK;
	}
	w->nread++;
	if (rc != TALLY_OK)
		w->report(w->arg, rc, &err);
	return rc;
}

int
tally_walk_run(struct walk *w, const char *path)
{
	return read_one(w, path, 1, 0);
}

/* ---- reading one input ---- */

int
tally_src_open(struct tally_src *src, int fd, const char *name,
    struct tally_sink *sink, struct tally_error *err, report_fn report,
    void *arg)
{
	int rc;

	tally_error_init(err, name);
	if ((rc = tally_src_init(src, fd, name)) != TALLY_OK) {
		tally_error_set(err, rc, 0, 0, "out of memory");
		(void)tally_emit_error(sink, name, err);	/* if it can */
		return rc;
	}
	src->warn = report;
	src->warn_arg = arg;
	return TALLY_OK;
}

int
tally_read_failed(struct tally_sink *sink, const char *name,
    struct tally_error *err, int rc)
{
	int erc;

	if (rc != TALLY_EPARSE && rc != TALLY_EIO && rc != TALLY_ELIMIT)
		return rc;
	if ((erc = tally_emit_error(sink, name, err)) != TALLY_OK)
		rc = erc;
	return rc;
}

int
tally_src_run(struct tally_src *src, tally_reader_fn read,
    struct tally_sink *sink, struct tally_error *err)
{
	int rc;

	rc = read(src, sink, err);
	if (rc == TALLY_ENOMEM) {
		/* The rest of the input is lost: say so in the stream too, if
		 * memory allows. */
		(void)tally_emit_error(sink, src->name, err);
		return rc;
	}
	if (rc == TALLY_OK || rc == TALLY_ESTOP)
		return rc;
	/* The sink failed to write: no error record into it. */
	if (rc == TALLY_EIO && src->err == 0)
		return rc;
	if (rc == TALLY_EIO) {
		err->sys_errno = src->err;
		if (err->message[0] == '\0')
			snprintf(err->message, sizeof(err->message), "%s",
			    strerror(src->err));
	}
	return tally_read_failed(sink, src->name, err, rc);
}

/* ---- streams only ---- */

static int
stream_fd(int fd, const char *name, enum tally_format fmt,
    struct tally_sink *sink, struct tally_error *err, report_fn report,
    void *arg, int *skip)
{
	struct tally_src src;
	int rc;

	(void)fmt;
	(void)skip;
	if ((rc = tally_src_open(&src, fd, name, sink, err, report, arg)) !=
	    TALLY_OK)
		return rc;
	rc = tally_src_run(&src, tally_read_stream, sink, err);
	tally_src_fini(&src);
	return rc;
}

int
tally_stream_walk(const char *path, const struct tally_walk *opts,
    struct tally_sink *sink, report_fn report, void *arg)
{
	static const struct walk_ops ops = { stream_fd, NULL, NULL, NULL };
	struct walk w = { &ops, TALLY_FMT_STREAM, opts, NULL, sink, report,
	    arg, path, 0 };

	return tally_walk_run(&w, path);
}
