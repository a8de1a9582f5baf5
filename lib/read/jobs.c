/*
 * lib/read/jobs.c: reading the files of a walk in parallel, with the output
 * of one thread.
 *
 * The walk (on the caller's thread) cuts its output into segments, in
 * order: a file to read is a segment that a worker thread fills; what the
 * walk says itself between files (a skipped link, a directory that cannot
 * be read, a directory with no result files) is a segment the walk fills.
 * Each segment keeps the bytes its records were written as, and its
 * diagnostics, in a spool: memory up to SPOOL_MEM bytes, then an unlinked
 * temporary file.  The caller's thread writes finished segments in order,
 * while it walks (whenever WINDOW files per thread are in flight) and at
 * the end; so the output is what one thread writes, byte for byte, and
 * memory is bounded by the window, not by the number or size of files.
 *
 * The file first in order need not wait: once everything before it is
 * written, drain() makes it live, and its worker writes its spool and
 * then its bytes straight to the output (lane_write).  Nothing else
 * writes then, as nothing after it can be written before it is done; so
 * one large file costs no round trip through a temporary file.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "jobs.h"

#define SPOOL_MEM	(1u << 20)	/* a spool's bytes kept in memory */
#define WINDOW		2		/* files in flight per thread */
#define COPY_CHUNK	65536

/* Bytes kept in order: memory first, then an unlinked temporary file. */
struct spool {
	char		*mem;
	size_t		 len, cap;
	int		 fd;		/* -1 until memory is full */
	int		 err;		/* errno of a failed write, else 0 */
	/* Reading back. */
	size_t		 rpos;
	int		 rfile;
};

enum seg_kind { SEG_WALK, SEG_FILE, SEG_DIR_END };

/* The result files read below one directory operand. */
struct dir_count {
	size_t		 nread;
};

struct seg {
	struct seg	*next;		/* in output order */
	struct seg	*todo;		/* next file for a worker */
	enum seg_kind	 kind;
	int		 done;
	struct spool	 out;		/* the records' bytes */
	struct spool	 rep;		/* the diagnostics, serialized */
	/* SEG_FILE */
	int		 fd;
	int		 close_fd;
	char		*path;
	enum tally_format fmt;
	int		 explicit;
	int		 rc;
	int		 skip;
	int		 live;		/* first in order: may write through */
	int		 direct;	/* its worker writes through (worker's) */
	int		 wrc;		/* the worst status of those writes */
	struct dir_count *dir;
	/* SEG_DIR_END: warn when dir read no result file */
	int		 warn;
};

/* A thread's chain of sinks, writing through a FILE into a segment. */
struct lane {
	struct tally_jobs *j;
	FILE		*fp;
	struct tally_sink *sink;
	struct seg	*cur;
	pthread_t	 tid;
	int		 started;
};

struct tally_jobs {
	struct tally_jobs_io io;
	unsigned	 nthreads;
	struct lane	*lanes;		/* nthreads workers, then the walk's */
	struct tally_sink walk_sink;
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* a file to read, or quit */
	pthread_cond_t	 done;		/* a segment is finished */
	struct seg	*head, *tail;	/* not yet written */
	struct seg	*todo_head, *todo_tail;
	size_t		 inflight;	/* files handed over, not written */
	struct dir_count *dir;		/* the directory operand being walked */
	int		 quit;
	int		 stop;		/* a fatal status: read nothing more */
	int		 status;	/* the worst status of the files */
	char		*tmpdir;
};

static int
worse(int a, int b)
{
	return a != TALLY_OK ? a : b;
}

/* ---- spools ---- */

static void
spool_init(struct spool *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void
spool_free(struct spool *s)
{
	free(s->mem);
	if (s->fd >= 0)
		close(s->fd);
	spool_init(s);
}

static int
tmp_open(const char *dir)
{
	char *path;
	int fd, e;

	if (asprintf(&path, "%s/tally-collect.XXXXXX", dir) < 0) {
		errno = ENOMEM;
		return -1;
	}
	/* Unlinked at once: nothing is left behind on any exit. */
	if ((fd = mkstemp(path)) >= 0)
		unlink(path);
	e = errno;
	free(path);
	errno = e;
	return fd;
}

static int
spool_add(struct spool *s, const char *tmpdir, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	if (s->err != 0)
		return -1;
	if (s->fd < 0 && s->len + n <= SPOOL_MEM) {
		if (s->len + n > s->cap) {
			size_t cap = s->cap ? s->cap : 4096;
			char *m;

			while (cap < s->len + n)
				cap *= 2;
			if ((m = realloc(s->mem, cap)) == NULL) {
				s->err = ENOMEM;
				return -1;
			}
			s->mem = m;
			s->cap = cap;
		}
		memcpy(s->mem + s->len, p, n);
		s->len += n;
		return 0;
	}
	if (s->fd < 0 && (s->fd = tmp_open(tmpdir)) < 0) {
		s->err = errno;
		return -1;
	}
	while (n > 0) {
		if ((w = write(s->fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Up to n bytes read back in order; 0 at the end, -1 on an error. */
static ssize_t
spool_read(struct spool *s, void *p, size_t n)
{
	ssize_t r;

	if (!s->rfile) {
		if (s->rpos < s->len) {
			if (n > s->len - s->rpos)
				n = s->len - s->rpos;
			memcpy(p, s->mem + s->rpos, n);
			s->rpos += n;
			return (ssize_t)n;
		}
		if (s->fd < 0)
			return 0;
		if (lseek(s->fd, 0, SEEK_SET) != 0)
			return -1;
		s->rfile = 1;
	}
	do
		r = read(s->fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Exactly n bytes, else -1. */
static int
spool_get(struct spool *s, void *p, size_t n)
{
	char *b = p;
	ssize_t r;

	while (n > 0) {
		if ((r = spool_read(s, b, n)) <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A diagnostic as kept in a spool. */
struct rep_head {
	int		 status;
	int		 sys_errno;
	long		 line;
	long		 column;
	size_t		 nfile;
	size_t		 nmsg;
};

static void
rep_put(struct tally_jobs *j, struct seg *s, int status,
    const struct tally_error *err)
{
	struct rep_head h;

	h.status = status;
	h.sys_errno = err->sys_errno;
	h.line = err->line;
	h.column = err->column;
	h.nfile = strnlen(err->file, sizeof(err->file));
	h.nmsg = strnlen(err->message, sizeof(err->message));
	(void)(spool_add(&s->rep, j->tmpdir, &h, sizeof(h)) == 0 &&
	    spool_add(&s->rep, j->tmpdir, err->file, h.nfile) == 0 &&
	    spool_add(&s->rep, j->tmpdir, err->message, h.nmsg) == 0);
}

static int
rep_get(struct seg *s, int *status, struct tally_error *err)
{
	struct rep_head h;

	if (spool_get(&s->rep, &h, sizeof(h)) != 0 ||
	    h.nfile >= sizeof(err->file) || h.nmsg >= sizeof(err->message))
		return -1;
	tally_error_init(err, NULL);
	if (spool_get(&s->rep, err->file, h.nfile) != 0 ||
	    spool_get(&s->rep, err->message, h.nmsg) != 0)
		return -1;
	err->file[h.nfile] = '\0';
	err->message[h.nmsg] = '\0';
	err->line = h.line;
	err->column = h.column;
	err->sys_errno = h.sys_errno;
	*status = h.status;
	return 0;
}

/* ---- segments ---- */

static struct seg *
seg_new(enum seg_kind kind)
{
	struct seg *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->kind = kind;
	s->fd = -1;
	spool_init(&s->out);
	spool_init(&s->rep);
	return s;
}

static void
seg_free(struct seg *s)
{
	if (s == NULL)
		return;
	spool_free(&s->out);
	spool_free(&s->rep);
	if (s->close_fd && s->fd >= 0)
		close(s->fd);
	if (s->kind == SEG_DIR_END)
		free(s->dir);
	free(s->path);
	free(s);
}

/* Append to the output order; the caller holds the lock. */
static void
seg_push(struct tally_jobs *j, struct seg *s)
{
	if (j->tail != NULL)
		j->tail->next = s;
	else
		j->head = s;
	j->tail = s;
}

/* A file's bytes to the output, from its worker, once it is live. */
static void
write_through(struct tally_jobs *j, struct seg *s, const void *p, size_t n)
{
	int rc;

	if (n > 0 && (rc = j->io.write(j->io.arg, p, n)) != TALLY_OK)
		s->wrc = worse(s->wrc, rc);
}

/*
 * The FILE a lane's chain writes to: into the lane's current segment, or
 * once that is live, what its spool holds and then the bytes themselves
 * to the output.
 */
static ssize_t
lane_write(void *cookie, const char *p, size_t n)
{
	struct lane *l = cookie;
	struct seg *s = l->cur;
	char *buf;
	ssize_t r = 0;
	int live;

	if (s == NULL)
		return (ssize_t)n;
	if (!s->direct && s->kind == SEG_FILE && s->out.err == 0) {
		pthread_mutex_lock(&l->j->lock);
		live = s->live;
		pthread_mutex_unlock(&l->j->lock);
		if (live) {
			/* What is in memory as it is; a temporary file's
			 * part through a buffer (off the thread's stack). */
			write_through(l->j, s, s->out.mem, s->out.len);
			s->out.rpos = s->out.len;
			if (s->out.fd >= 0) {
				if ((buf = malloc(COPY_CHUNK)) == NULL)
					r = -1;
				while (buf != NULL && (r = spool_read(&s->out,
				    buf, COPY_CHUNK)) > 0)
					write_through(l->j, s, buf, (size_t)r);
				free(buf);
			}
			if (r < 0) {
				s->out.err = errno != 0 ? errno : EIO;
				errno = s->out.err;
				return -1;
			}
			spool_free(&s->out);
			s->direct = 1;
		}
	}
	if (s->direct) {
		write_through(l->j, s, p, n);
		return (ssize_t)n;
	}
	if (spool_add(&s->out, l->j->tmpdir, p, n) != 0) {
		errno = s->out.err;
		return -1;
	}
	return (ssize_t)n;
}

static void
seg_report(void *arg, int status, const struct tally_error *err)
{
	struct lane *l = arg;

	rep_put(l->j, l->cur, status, err);
}

/* A worker reads one file into its segment, as read.c's read_one would. */
static void
read_seg(struct lane *l, struct seg *s)
{
	struct tally_error err;
	int rc, skip = 0;

	l->cur = s;
	clearerr(l->fp);
	rc = tally_read_input(s->fd, s->path, s->fmt, l->sink, &err,
	    seg_report, l, s->explicit ? NULL : &skip);
	if (fflush(l->fp) != 0 && rc == TALLY_OK)
		rc = tally_error_set(&err, TALLY_EIO, 0, 0, "write error");
	if (s->out.err != 0 && s->out.err != ENOMEM) {
		err.sys_errno = s->out.err;
		rc = tally_error_set(&err, TALLY_EIO, 0, 0, "cannot write a "
		    "temporary file in '%s': %s", l->j->tmpdir,
		    strerror(s->out.err));
	}
	if (skip) {
		seg_report(l, TALLY_OK, &err);
		rc = TALLY_OK;
	} else if (rc != TALLY_OK)
		seg_report(l, rc, &err);
	s->rc = rc;
	s->skip = skip;
	l->cur = NULL;
}

static void *
worker(void *arg)
{
	struct lane *l = arg;
	struct tally_jobs *j = l->j;
	struct seg *s;
	int stop;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->quit && j->todo_head == NULL)
			pthread_cond_wait(&j->work, &j->lock);
		if ((s = j->todo_head) == NULL)
			break;
		if ((j->todo_head = s->todo) == NULL)
			j->todo_tail = NULL;
		stop = j->stop;
		pthread_mutex_unlock(&j->lock);
		if (!stop)
			read_seg(l, s);
		if (s->close_fd) {
			close(s->fd);
			s->fd = -1;
		}
		pthread_mutex_lock(&j->lock);
		s->done = 1;
		pthread_cond_broadcast(&j->done);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* ---- writing, on the caller's thread ---- */

static int
stopping(int rc)
{
	return rc != TALLY_OK && rc != TALLY_EPARSE && rc != TALLY_EIO &&
	    rc != TALLY_ELIMIT;
}

static void
emit(struct tally_jobs *j, struct seg *s)
{
	struct tally_error err;
	char buf[COPY_CHUNK];
	ssize_t n;
	int status, rc;

	if (j->stop)
		return;
	/* A failed write is said once, at the end; reading goes on.  A live
	 * file's spool is empty, its bytes written through. */
	j->status = worse(j->status, s->wrc);
	while ((n = spool_read(&s->out, buf, sizeof(buf))) > 0)
		if ((rc = j->io.write(j->io.arg, buf, (size_t)n)) != TALLY_OK)
			j->status = worse(j->status, rc);
	if (n < 0)	/* records that cannot be read back are not lost quietly */
		j->status = worse(j->status, TALLY_EIO);
	while (rep_get(s, &status, &err) == 0)
		j->io.report(j->io.arg, status, &err);
	if (s->kind == SEG_FILE) {
		j->status = worse(j->status, s->rc);
		if (!s->skip && s->dir != NULL)
			s->dir->nread++;
		if (stopping(s->rc)) {
			pthread_mutex_lock(&j->lock);
			j->stop = s->rc;
			pthread_mutex_unlock(&j->lock);
		}
	} else if (s->kind == SEG_DIR_END && s->warn && s->dir->nread == 0) {
		tally_error_init(&err, s->path);
		tally_error_set(&err, TALLY_OK, 0, 0, "%s",
		    "no result files in directory");
		j->io.report(j->io.arg, TALLY_OK, &err);
	}
}

/*
 * Write the finished segments at the head; with all, wait for every
 * segment, else only until fewer files than the window are in flight.
 */
static void
drain(struct tally_jobs *j, int all)
{
	struct seg *s;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		while ((s = j->head) != NULL && s->done) {
			if ((j->head = s->next) == NULL)
				j->tail = NULL;
			if (s->kind == SEG_FILE)
				j->inflight--;
			pthread_mutex_unlock(&j->lock);
			emit(j, s);
			seg_free(s);
			pthread_mutex_lock(&j->lock);
		}
		/* Everything before the head is out: it may write through. */
		if ((s = j->head) != NULL && s->kind == SEG_FILE && !j->stop)
			s->live = 1;
		if (all ? j->head == NULL :
		    j->inflight < (size_t)j->nthreads * WINDOW)
			break;
		pthread_cond_wait(&j->done, &j->lock);
	}
	pthread_mutex_unlock(&j->lock);
}

/* ---- the walk's side ---- */

static struct lane *
walk_lane(struct tally_jobs *j)
{
	return &j->lanes[j->nthreads];
}

/* The walk's own segment, opened when the walk first says something. */
static struct seg *
walk_seg(struct tally_jobs *j)
{
	struct lane *l = walk_lane(j);

	if (l->cur == NULL && (l->cur = seg_new(SEG_WALK)) != NULL) {
		pthread_mutex_lock(&j->lock);
		seg_push(j, l->cur);
		pthread_mutex_unlock(&j->lock);
	}
	return l->cur;
}

static void
walk_seg_close(struct tally_jobs *j)
{
	struct lane *l = walk_lane(j);

	if (l->cur == NULL)
		return;
	(void)fflush(l->fp);
	pthread_mutex_lock(&j->lock);
	l->cur->done = 1;
	l->cur = NULL;
	pthread_mutex_unlock(&j->lock);
}

static int
walk_record(struct tally_sink *sink, const struct tally_record *rec,
    struct tally_error *err)
{
	struct tally_jobs *j = (struct tally_jobs *)((char *)sink -
	    offsetof(struct tally_jobs, walk_sink));

	if (walk_seg(j) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	return tally_sink_record(walk_lane(j)->sink, rec, err);
}

struct tally_sink *
tally_jobs_walk_sink(struct tally_jobs *j)
{
	return &j->walk_sink;
}

void
tally_jobs_walk_report(void *arg, int status, const struct tally_error *err)
{
	struct tally_jobs *j = arg;
	struct seg *s;

	if ((s = walk_seg(j)) != NULL)
		rep_put(j, s, status, err);
}

static int
push_seg(struct tally_jobs *j, struct seg *s)
{
	walk_seg_close(j);
	drain(j, 0);
	pthread_mutex_lock(&j->lock);
	seg_push(j, s);
	/* First in order already: it writes through from the start, also
	 * while the walk waits (on a FIFO, say) and drains nothing. */
	if (j->head == s && s->kind == SEG_FILE && !j->stop)
		s->live = 1;
	if (s->kind == SEG_FILE) {
		j->inflight++;
		if (j->todo_tail != NULL)
			j->todo_tail->todo = s;
		else
			j->todo_head = s;
		j->todo_tail = s;
		pthread_cond_signal(&j->work);
	} else
		s->done = 1;
	pthread_mutex_unlock(&j->lock);
	return TALLY_OK;
}

int
tally_jobs_file(struct tally_jobs *j, int fd, int close_fd, const char *path,
    enum tally_format fmt, int explicit)
{
	struct seg *s;

	if (j->stop || (s = seg_new(SEG_FILE)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		if (!j->stop) {
			seg_free(s);
			pthread_mutex_lock(&j->lock);
			j->stop = TALLY_ENOMEM;
			pthread_mutex_unlock(&j->lock);
			j->status = worse(j->status, TALLY_ENOMEM);
		}
		if (close_fd)
			close(fd);
		return j->stop;
	}
	s->fd = fd;
	s->close_fd = close_fd;
	s->fmt = fmt;
	s->explicit = explicit;
	s->dir = j->dir;
	return push_seg(j, s);
}

int
tally_jobs_dir_begin(struct tally_jobs *j)
{
	if ((j->dir = calloc(1, sizeof(*j->dir))) == NULL)
		return TALLY_ENOMEM;
	return TALLY_OK;
}

int
tally_jobs_dir_end(struct tally_jobs *j, const char *path, int warn)
{
	struct seg *s;

	if ((s = seg_new(SEG_DIR_END)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(j->dir);
		j->dir = NULL;
		seg_free(s);
		return TALLY_ENOMEM;
	}
	s->dir = j->dir;
	s->warn = warn && j->dir != NULL;
	j->dir = NULL;
	if (s->dir == NULL && (s->dir = calloc(1, sizeof(*s->dir))) == NULL) {
		seg_free(s);
		return TALLY_ENOMEM;
	}
	return push_seg(j, s);
}

int
tally_jobs_new(struct tally_jobs **out, unsigned threads,
    const struct tally_jobs_io *io)
{
	static const cookie_io_functions_t fns = { NULL, lane_write, NULL,
	    NULL };
	struct tally_jobs *j;
	const char *dir;
	unsigned i;
	int rc;

	*out = NULL;
	if (threads < 1)
		threads = 1;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return TALLY_ENOMEM;
	j->io = *io;
	j->nthreads = threads;
	j->walk_sink.record = walk_record;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->work, NULL);
	pthread_cond_init(&j->done, NULL);
	if ((dir = getenv("TMPDIR")) == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((j->tmpdir = strdup(dir)) == NULL ||
	    (j->lanes = calloc(threads + 1, sizeof(*j->lanes))) == NULL) {
		tally_jobs_free(j);
		return TALLY_ENOMEM;
	}
	/* libxml2 2.9 wants its first initialization on one thread. */
	tally_xml_init();
	for (i = 0; i <= threads; i++) {
		struct lane *l = &j->lanes[i];

		l->j = j;
		if ((l->fp = fopencookie(l, "w", fns)) == NULL) {
			tally_jobs_free(j);
			return TALLY_ENOMEM;
		}
		(void)setvbuf(l->fp, NULL, _IOFBF, COPY_CHUNK);
		if ((rc = io->make(io->arg, i, l->fp, &l->sink)) != TALLY_OK) {
			tally_jobs_free(j);
			return rc;
		}
	}
	for (i = 0; i < threads; i++) {
		if (pthread_create(&j->lanes[i].tid, NULL, worker,
		    &j->lanes[i]) != 0) {
			tally_jobs_free(j);
			return TALLY_ENOMEM;
		}
		j->lanes[i].started = 1;
	}
	*out = j;
	return TALLY_OK;
}

int
tally_jobs_finish(struct tally_jobs *j)
{
	walk_seg_close(j);
	drain(j, 1);
	return j->status;
}

void
tally_jobs_free(struct tally_jobs *j)
{
	struct seg *s;
	unsigned i;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->quit = 1;
	j->stop = j->stop ? j->stop : TALLY_ESTOP;
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
	for (i = 0; j->lanes != NULL && i < j->nthreads; i++)
		if (j->lanes[i].started)
			pthread_join(j->lanes[i].tid, NULL);
	while ((s = j->head) != NULL) {
		j->head = s->next;
		seg_free(s);
	}
	free(j->dir);
	for (i = 0; j->lanes != NULL && i <= j->nthreads; i++) {
		j->lanes[i].cur = NULL;
		if (j->lanes[i].fp != NULL)
			fclose(j->lanes[i].fp);
		tally_sink_free(j->lanes[i].sink);
	}
	free(j->lanes);
	free(j->tmpdir);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->work);
	pthread_cond_destroy(&j->done);
	free(j);
}
