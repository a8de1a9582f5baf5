/*
 * lib/organize/journal.c: the organize journal, an append-only file of one record
 * per line, each ending in a CRC-32 of the rest of the line:
 *
 *	begin 0 CRC			a run starts
 *	mkdir SEQ PATH CRC		intent to create a directory
 *	marker SEQ PATH TEMP CRC	intent to create a marker file
 *	move SEQ SRC DST DEV INO SIZE MSEC MNSEC CRC
 *	rewrite SEQ PATH SAVED OSIZE OCRC NSIZE NCRC CRC
 *					intent to rewrite a reference file
 *					(.tally/SAVED.old and .new hold
 *					its texts, written before)
 *	done SEQ [INO SIZE] CRC		the step happened
 *	skip SEQ CRC			it did not (found by recovery)
 *	undo SEQ CRC / undone SEQ CRC	reverting a step
 *	commit 0 CRC / reverted 0 CRC	the run, or its undo, finished
 *	staged 0 CRC			... and git was told (or there is
 *					no git work tree)
 *
 * Paths are relative to the root and percent-encoded (bytes up to space,
 * from DEL up, and '%'), so any byte survives exactly.  Every record is
 * written with one write(2) and synced before the step it announces.
 *
 * A finished run's journal is compacted: rewritten beside the old one and
 * renamed over it, holding only what the last run's state needs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "organize_int.h"

#define JOURNAL	"organize.journal"
#define JOURNAL_TMP	"organize.journal.tmp"
#define SAVED_PREFIX	"rewrite."	/* a rewrite's saved copies */
#define REWRITE_TMP	".tally-new."	/* beside the file rewritten */

static unsigned long
crc32(const char *s, size_t n)
{
	unsigned long c = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char)s[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320UL & (0UL - (c & 1)));
	}
	return c ^ 0xffffffffUL;
}

unsigned long
journal_crc(const char *s, size_t n)
{
	return crc32(s, n);
}

static int
enc(struct tally_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	int rc = tally_buf_addc(b, ' ');

	for (p = (const unsigned char *)s; *p != '\0' && rc == TALLY_OK; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '%') {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			rc = tally_buf_add(b, e, 3);
		} else
			rc = tally_buf_addc(b, (char)*p);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a field in place; NULL when malformed or empty. */
static char *
dec(char *s)
{
	char *r = s, *w = s;
	int h, l;

	if (s == NULL || *s == '\0')
		return NULL;
	while (*r != '\0') {
		if (*r == '%') {
			if ((h = hexval(r[1])) < 0 || (l = hexval(r[2])) < 0 ||
			    (h == 0 && l == 0))
				return NULL;
			*w++ = (char)(h << 4 | l);
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return s;
}

/* End the record that starts at offset start of b with its CRC. */
static int
seal(struct tally_buf *b, size_t start)
{
	char crc[16];

	snprintf(crc, sizeof(crc), " %08lx\n", crc32(b->data + start,
	    b->len - start));
	return tally_buf_adds(b, crc);
}

/* Write the full buffer to fd; -1 with errno set when that fails. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
append(struct journal *j, struct tally_buf *b, struct tally_error *err)
{
	ssize_t w;
	int rc;

	if ((rc = seal(b, 0)) != TALLY_OK) {
		tally_buf_free(b);
		return tally_error_set(err, rc, 0, 0, "out of memory");
	}
	do
		w = write(j->fd, b->data, b->len);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)b->len || (!j->lazy && fdatasync(j->fd) == -1)) {
		if (w >= 0 && w != (ssize_t)b->len)
			errno = ENOSPC;
		tally_buf_free(b);
		return fs_error(err, "cannot write journal", ".tally/" JOURNAL);
	}
	tally_buf_free(b);
	return TALLY_OK;
}

static int
simple(struct journal *j, const char *op, size_t seq, const char *extra,
    struct tally_error *err)
{
	struct tally_buf b;

	tally_buf_init(&b);
	if (tally_buf_printf(&b, "%s %zu%s", op, seq, extra) != TALLY_OK) {
		tally_buf_free(&b);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	return append(j, &b, err);
}

static void
entries_free(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->e[i].a);
		free(j->e[i].b);
	}
	free(j->e);
	j->e = NULL;
	j->n = 0;
}

static int
push(struct journal *j, const struct jentry *e)
{
	struct jentry *v;

	if ((v = realloc(j->e, (j->n + 1) * sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	j->e = v;
	v[j->n] = *e;
	if ((e->a && (v[j->n].a = strdup(e->a)) == NULL) ||
	    (e->b && (v[j->n].b = strdup(e->b)) == NULL)) {
		if (v[j->n].a != e->a)
			free(v[j->n].a);
		return TALLY_ENOMEM;
	}
	j->n++;
	return TALLY_OK;
}

/* Apply one journal line (without CRC and newline) to j. */
static int
parse_line(struct journal *j, char *line)
{
	char *f[12], *save = NULL, *t;
	struct jentry e;
	size_t nf = 0, seq;
	char *end;

	for (t = strtok_r(line, " ", &save); t != NULL && nf < 12;
	    t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf < 2)
		return -1;
	seq = (size_t)strtoull(f[1], &end, 10);
	if (*end != '\0')
		return -1;
	memset(&e, 0, sizeof(e));
	if (strcmp(f[0], "begin") == 0) {
		entries_free(j);
		j->run = 1;
		j->committed = j->undoing = j->reverted = j->staged = 0;
		return 0;
	}
	if (!j->run)
		return -1;
	if (strcmp(f[0], "commit") == 0) {
		j->committed = 1;
		j->staged = 0;
		return 0;
	}
	if (strcmp(f[0], "reverted") == 0) {
		j->reverted = 1;
		j->staged = 0;
		return 0;
	}
	if (strcmp(f[0], "staged") == 0) {
		j->staged = 1;
		return 0;
	}
	if (strcmp(f[0], "rewrite") == 0) {
		if (seq != j->n + 1 || nf != 8)
			return -1;
		e.kind = TALLY_ORGANIZE_REWRITE;
		e.state = J_INTENT;
		e.a = dec(f[2]);
		e.b = dec(f[3]);
		e.size = strtoull(f[4], NULL, 10);
		e.ocrc = strtoul(f[5], NULL, 16);
		e.nsize = strtoull(f[6], NULL, 10);
		e.ncrc = strtoul(f[7], NULL, 16);
		if (e.a == NULL || e.b == NULL || strchr(e.b, '/') ||
		    strncmp(e.b, SAVED_PREFIX, strlen(SAVED_PREFIX)) != 0)
			return -1;
		return push(j, &e) == TALLY_OK ? 0 : -2;
	}
	if (strcmp(f[0], "mkdir") == 0 || strcmp(f[0], "marker") == 0 ||
	    strcmp(f[0], "move") == 0) {
		if (seq != j->n + 1)
			return -1;
		e.state = J_INTENT;
		if (f[0][1] == 'k' && nf == 3) {
			e.kind = TALLY_ORGANIZE_MKDIR;
			e.a = dec(f[2]);
		} else if (f[0][1] == 'a' && nf == 4) {
			e.kind = TALLY_ORGANIZE_MARKER;
			e.a = dec(f[2]);
			e.b = dec(f[3]);
		} else if (f[0][1] == 'o' && nf == 9) {
			e.kind = TALLY_ORGANIZE_MOVE;
			e.a = dec(f[2]);
			e.b = dec(f[3]);
			e.dev = strtoull(f[4], NULL, 10);
			e.ino = strtoull(f[5], NULL, 10);
			e.size = strtoull(f[6], NULL, 10);
			e.msec = strtoll(f[7], NULL, 10);
			e.mnsec = strtoll(f[8], NULL, 10);
		} else
			return -1;
		if (e.a == NULL || (e.kind != TALLY_ORGANIZE_MKDIR &&
		    e.b == NULL))
			return -1;
		if (e.kind == TALLY_ORGANIZE_MARKER && (strchr(e.b, '/') ||
		    strcmp(e.b, ".") == 0 || strcmp(e.b, "..") == 0))
			return -1;
		return push(j, &e) == TALLY_OK ? 0 : -2;
	}
	if (seq < 1 || seq > j->n)
		return -1;
	if (strcmp(f[0], "done") == 0) {
		j->e[seq - 1].state = J_DONE;
		if (nf == 4) {
			j->e[seq - 1].ino = strtoull(f[2], NULL, 10);
			j->e[seq - 1].size = strtoull(f[3], NULL, 10);
		}
	} else if (strcmp(f[0], "skip") == 0)
		j->e[seq - 1].state = J_SKIP;
	else if (strcmp(f[0], "undo") == 0)
		j->undoing = 1;
	else if (strcmp(f[0], "undone") == 0) {
		j->undoing = 1;
		j->e[seq - 1].state = J_UNDONE;
	} else
		return -1;
	return 0;
}

int
journal_open(struct journal *j, int dfd, int create, struct tally_error *err)
{
	struct tally_buf line;
	char chunk[8192], want[16];
	off_t good = 0, off = 0;
	ssize_t n, i;
	long lineno = 0;
	int rc = TALLY_OK, bad;

	memset(j, 0, sizeof(*j));
	j->dfd = dfd;
	j->fd = openat(dfd, JOURNAL, (create ? O_RDWR | O_CREAT | O_APPEND :
	    O_RDONLY) | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (j->fd == -1) {
		if (errno == ENOENT && !create)
			return TALLY_OK;
		return fs_error(err, "cannot open journal", ".tally/" JOURNAL);
	}
	tally_buf_init(&line);
	while (rc == TALLY_OK && (n = read(j->fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rc = fs_error(err, "cannot read journal",
			    ".tally/" JOURNAL);
			break;
		}
		for (i = 0; i < n && rc == TALLY_OK; i++) {
			off++;
			if (chunk[i] != '\n') {
				if (tally_buf_addc(&line, chunk[i]) != TALLY_OK)
					rc = tally_error_set(err, TALLY_ENOMEM,
					    0, 0, "out of memory");
				continue;
			}
			lineno++;
			bad = line.len < 10 || line.data[line.len - 9] != ' ';
			if (!bad) {
				snprintf(want, sizeof(want), "%08lx",
				    crc32(line.data, line.len - 9));
				bad = strcmp(want, line.data + line.len - 8) !=
				    0;
			}
			if (!bad) {
				line.data[line.len - 9] = '\0';
				bad = parse_line(j, line.data);
			}
			if (bad == -2)
				rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
			else if (bad)
				rc = tally_error_set(err, TALLY_EPARSE, lineno,
				    0, "corrupt journal record");
			good = off;
			tally_buf_reset(&line);
		}
	}
	tally_buf_free(&line);
	/* A last line without its newline is a torn write: cut it off. */
	if (rc == TALLY_OK && create && good != off &&
	    ftruncate(j->fd, good) == -1)
		rc = fs_error(err, "cannot repair journal", ".tally/" JOURNAL);
	if (rc != TALLY_OK) {
		snprintf(err->file, sizeof(err->file), ".tally/%s", JOURNAL);
		journal_close(j);
	}
	return rc;
}

void
journal_close(struct journal *j)
{
	if (j->fd != -1 && j->fd != 0)
		close(j->fd);
	j->fd = -1;
	entries_free(j);
}

/*
 * Remove the saved copies of rewrites in the journal's directory: those of
 * a run the journal no longer holds.
 */
int
journal_drop_saved(struct journal *j, struct tally_error *err)
{
	struct dirent *d;
	DIR *dp;
	int fd, rc = TALLY_OK;

	if ((fd = openat(j->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return fs_error(err, "cannot read directory", ".tally");
	}
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, SAVED_PREFIX, strlen(SAVED_PREFIX)) ==
		    0 && unlinkat(j->dfd, d->d_name, 0) == -1 &&
		    errno != ENOENT) {
			rc = fs_error(err, "cannot remove", d->d_name);
			break;
		}
	closedir(dp);
	return rc;
}

int
journal_begin(struct journal *j, struct tally_error *err)
{
	int rc;

	entries_free(j);
	j->run = 1;
	j->committed = j->undoing = j->reverted = j->staged = 0;
	if ((rc = simple(j, "begin", 0, "", err)) != TALLY_OK)
		return rc;
	/* The run before is forgotten now: its saved copies go. */
	return journal_drop_saved(j, err);
}

/* The intent record of e, numbered seq, without its CRC. */
static int
intent_line(struct tally_buf *b, const struct jentry *e, size_t seq)
{
	int rc;

	if (e->kind == TALLY_ORGANIZE_REWRITE) {
		rc = tally_buf_printf(b, "rewrite %zu", seq);
		if (rc == TALLY_OK)
			rc = enc(b, e->a);
		if (rc == TALLY_OK)
			rc = enc(b, e->b);
		if (rc == TALLY_OK)
			rc = tally_buf_printf(b, " %llu %08lx %llu %08lx",
			    e->size, e->ocrc, e->nsize, e->ncrc);
		return rc;
	}
	rc = tally_buf_printf(b, "%s %zu", e->kind == TALLY_ORGANIZE_MKDIR ?
	    "mkdir" : e->kind == TALLY_ORGANIZE_MARKER ? "marker" : "move",
	    seq);
	if (rc == TALLY_OK)
		rc = enc(b, e->a);
	if (rc == TALLY_OK && e->kind != TALLY_ORGANIZE_MKDIR)
		rc = enc(b, e->b);
	if (rc == TALLY_OK && e->kind == TALLY_ORGANIZE_MOVE)
		rc = tally_buf_printf(b, " %llu %llu %llu %lld %lld", e->dev,
		    e->ino, e->size, e->msec, e->mnsec);
	return rc;
}

int
journal_intent(struct journal *j, const struct jentry *e,
    struct tally_error *err)
{
	struct tally_buf b;
	int rc;

	tally_buf_init(&b);
	rc = intent_line(&b, e, j->n + 1);
	if (rc == TALLY_OK)
		rc = push(j, e);
	if (rc != TALLY_OK) {
		tally_buf_free(&b);
		return tally_error_set(err, rc, 0, 0, "out of memory");
	}
	j->e[j->n - 1].state = J_INTENT;
	return append(j, &b, err);
}

int
journal_mark(struct journal *j, size_t i, const char *op,
    struct tally_error *err)
{
	struct jentry *e = &j->e[i];
	char extra[64] = "";

	if (strcmp(op, "done") == 0) {
		e->state = J_DONE;
		if (e->kind == TALLY_ORGANIZE_MARKER)
			snprintf(extra, sizeof(extra), " %llu %llu", e->ino,
			    e->size);
	} else if (strcmp(op, "skip") == 0)
		e->state = J_SKIP;
	else if (strcmp(op, "undone") == 0)
		e->state = J_UNDONE;
	if (strcmp(op, "undo") == 0 || strcmp(op, "undone") == 0)
		j->undoing = 1;
	return simple(j, op, i + 1, extra, err);
}

int
journal_end(struct journal *j, const char *op, struct tally_error *err)
{
	if (strcmp(op, "staged") == 0)
		j->staged = 1;
	else {
		if (strcmp(op, "commit") == 0)
			j->committed = 1;
		else
			j->reverted = 1;
		j->staged = 0;
	}
	return simple(j, op, 0, "", err);
}

int
journal_sync(struct journal *j, struct tally_error *err)
{
	if (fdatasync(j->fd) == -1)
		return fs_error(err, "cannot write journal", ".tally/" JOURNAL);
	return TALLY_OK;
}

int
journal_pending(const struct journal *j)
{
	return j->run && !j->reverted && (!j->committed || j->undoing);
}

int
journal_unstaged(const struct journal *j)
{
	return j->run && !journal_pending(j) && !j->staged;
}

/*
 * The journal that says what j (not pending) says, no more: nothing once
 * an undo is finished and staged, else the last run alone, its steps
 * renumbered without the skipped ones, each intent followed by its
 * outcome.
 */
static int
canonical(const struct journal *j, struct tally_buf *b)
{
	const struct jentry *e;
	size_t i, seq = 0, start;
	int rc = TALLY_OK;

	if (!j->run || (j->reverted && j->staged))
		return TALLY_OK;
	start = b->len;
	if ((rc = tally_buf_adds(b, "begin 0")) == TALLY_OK)
		rc = seal(b, start);
	for (i = 0; i < j->n && rc == TALLY_OK; i++) {
		e = &j->e[i];
		if (e->state == J_SKIP)
			continue;
		seq++;
		start = b->len;
		if ((rc = intent_line(b, e, seq)) == TALLY_OK)
			rc = seal(b, start);
		if (rc != TALLY_OK || e->state == J_INTENT)
			continue;
		start = b->len;
		rc = tally_buf_printf(b, "done %zu", seq);
		if (rc == TALLY_OK && e->kind == TALLY_ORGANIZE_MARKER)
			rc = tally_buf_printf(b, " %llu %llu", e->ino, e->size);
		if (rc == TALLY_OK)
			rc = seal(b, start);
		if (rc == TALLY_OK && e->state == J_UNDONE) {
			start = b->len;
			if ((rc = tally_buf_printf(b, "undone %zu", seq)) ==
			    TALLY_OK)
				rc = seal(b, start);
		}
	}
	if (rc == TALLY_OK && j->committed) {
		start = b->len;
		if ((rc = tally_buf_adds(b, "commit 0")) == TALLY_OK)
			rc = seal(b, start);
	}
	if (rc == TALLY_OK && j->reverted) {
		start = b->len;
		if ((rc = tally_buf_adds(b, "reverted 0")) == TALLY_OK)
			rc = seal(b, start);
	}
	if (rc == TALLY_OK && j->staged) {
		start = b->len;
		if ((rc = tally_buf_adds(b, "staged 0")) == TALLY_OK)
			rc = seal(b, start);
	}
	return rc;
}

int
journal_compact(struct journal *j, struct tally_error *err)
{
	struct tally_buf b;
	struct stat st;
	size_t i;
	int fd, rc;

	if (journal_pending(j))
		return TALLY_OK;
	for (i = 0; i < j->n; i++)
		if (j->e[i].state == J_INTENT)
			return TALLY_OK;	/* a step still to settle */
	if (fstat(j->fd, &st) == -1)
		return fs_error(err, "cannot examine journal",
		    ".tally/" JOURNAL);
	tally_buf_init(&b);
	if (canonical(j, &b) != TALLY_OK) {
		tally_buf_free(&b);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	if ((off_t)b.len >= st.st_size) {
		tally_buf_free(&b);
		return TALLY_OK;
	}
	/* A temporary file left by a run killed here is only a copy. */
	if (unlinkat(j->dfd, JOURNAL_TMP, 0) == -1 && errno != ENOENT) {
		tally_buf_free(&b);
		return fs_error(err, "cannot remove", ".tally/" JOURNAL_TMP);
	}
	fd = openat(j->dfd, JOURNAL_TMP, O_RDWR | O_CREAT | O_EXCL | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		tally_buf_free(&b);
		return fs_error(err, "cannot create", ".tally/" JOURNAL_TMP);
	}
	rc = TALLY_OK;
	if (write_all(fd, b.data, b.len) == -1 || fsync(fd) == -1)
		rc = fs_error(err, "cannot write", ".tally/" JOURNAL_TMP);
	tally_buf_free(&b);
	if (rc == TALLY_OK) {
		crash_point();
		if (renameat(j->dfd, JOURNAL_TMP, j->dfd, JOURNAL) == -1)
			rc = fs_error(err, "cannot replace journal",
			    ".tally/" JOURNAL);
		else if (fsync(j->dfd) == -1)
			rc = fs_error(err, "cannot sync directory", ".tally");
	}
	if (rc != TALLY_OK) {
		unlinkat(j->dfd, JOURNAL_TMP, 0);
		close(fd);
		return rc;
	}
	close(j->fd);
	j->fd = fd;
	return TALLY_OK;
}

/* lstat of rel below rootfd without following links: 1 there, 0 not. */
static int
probe(int rootfd, const char *rel, struct stat *st, struct tally_error *err)
{
	const char *base;
	int fd, rc;

	if ((rc = fs_openparent(rootfd, rel, &fd, &base, err)) != TALLY_OK) {
		if (rc == TALLY_EIO && err->sys_errno == ENOENT)
			return 0;
		return rc;
	}
	rc = fstatat(fd, base, st, AT_SYMLINK_NOFOLLOW);
	if (rc == -1 && errno != ENOENT)
		rc = fs_error(err, "cannot examine", rel);
	else
		rc = rc == 0;
	close(fd);
	return rc;
}

/* Remove rel (a file, or a directory with dir set); ENOENT is fine. */
static int
remove_at(int rootfd, const char *rel, int dir, struct tally_error *err)
{
	const char *base;
	int fd, rc;

	if ((rc = fs_openparent(rootfd, rel, &fd, &base, err)) != TALLY_OK)
		return rc;
	rc = TALLY_OK;
	if (unlinkat(fd, base, dir ? AT_REMOVEDIR : 0) == -1 &&
	    errno != ENOENT)
		rc = fs_error(err, dir ? "cannot remove directory" :
		    "cannot remove", rel);
	else if (fsync(fd) == -1)
		rc = fs_error(err, "cannot sync directory of", rel);
	close(fd);
	return rc;
}

int
fs_slurp(int rootfd, const char *rel, struct tally_buf *b,
    struct tally_error *err)
{
	struct stat st;
	const char *base;
	char chunk[8192];
	ssize_t n;
	int dfd, fd, rc;

	tally_buf_reset(b);
	if ((rc = fs_openparent(rootfd, rel, &dfd, &base, err)) != TALLY_OK)
		return rc;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd == -1)
		return fs_error(err, "cannot read", rel);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tally_error_set(err, TALLY_EINVAL, 0, 0, "cannot read "
		    "'%s': not a regular file", rel);
	}
	rc = TALLY_OK;
	while (rc == TALLY_OK && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			rc = fs_error(err, "cannot read", rel);
		else if (tally_buf_add(b, chunk, (size_t)n) != TALLY_OK)
			rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
	}
	close(fd);
	return rc;
}

/* Write data to name in dfd (created afresh, mode 0600), synced. */
static int
save_one(int dfd, const char *name, const char *data, size_t len,
    struct tally_error *err)
{
	int fd, rc = TALLY_OK;

	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT)
		return fs_error(err, "cannot remove", name);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return fs_error(err, "cannot create", name);
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		rc = fs_error(err, "cannot write", name);
	if (close(fd) == -1 && rc == TALLY_OK)
		rc = fs_error(err, "cannot write", name);
	return rc;
}

int
rewrite_save(struct journal *j, const struct jentry *e, const char *old,
    const char *new, struct tally_error *err)
{
	struct tally_buf name;
	int rc;

	tally_buf_init(&name);
	if (tally_buf_printf(&name, "%s.old", e->b) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	rc = save_one(j->dfd, name.data, old, (size_t)e->size, err);
	tally_buf_reset(&name);
	if (rc == TALLY_OK && tally_buf_printf(&name, "%s.new", e->b) !=
	    TALLY_OK)
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if (rc == TALLY_OK)
		rc = save_one(j->dfd, name.data, new, (size_t)e->nsize, err);
	if (rc == TALLY_OK && fsync(j->dfd) == -1)
		rc = fs_error(err, "cannot sync directory", ".tally");
	tally_buf_free(&name);
	return rc;
}

/* Read a saved copy of entry e (the old text, or the new), checked. */
static int
saved(const struct journal *j, const struct jentry *e, int old,
    struct tally_buf *b, struct tally_error *err)
{
	struct tally_buf name;
	int rc;

	tally_buf_init(&name);
	if (tally_buf_printf(&name, ".tally/%s.%s", e->b, old ? "old" :
	    "new") != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	/* .tally is the journal's directory: read it through dfd. */
	rc = fs_slurp(j->dfd, name.data + 7, b, err);
	if (rc == TALLY_OK && (b->len != (old ? e->size : e->nsize) ||
	    crc32(b->data, b->len) != (old ? e->ocrc : e->ncrc)))
		rc = tally_error_set(err, TALLY_EINVAL, 0, 0, "the saved copy "
		    "'%s' of '%s' is damaged; nothing done", name.data, e->a);
	tally_buf_free(&name);
	return rc;
}

int
rewrite_state(struct journal *j, size_t i, int rootfd, enum rw_state *st,
    struct tally_error *err)
{
	const struct jentry *e = &j->e[i];
	struct tally_buf now, text;
	int rc;

	tally_buf_init(&now);
	tally_buf_init(&text);
	rc = fs_slurp(rootfd, e->a, &now, err);
	if (rc == TALLY_EIO && err->sys_errno == ENOENT) {
		*st = RW_GONE;
		rc = TALLY_OK;
		goto out;
	}
	if (rc == TALLY_EINVAL) {	/* no longer a regular file */
		*st = RW_CHANGED;
		rc = TALLY_OK;
		goto out;
	}
	if (rc != TALLY_OK)
		goto out;
	*st = RW_CHANGED;
	if (now.len == e->nsize && crc32(now.data, now.len) == e->ncrc) {
		if ((rc = saved(j, e, 0, &text, err)) != TALLY_OK)
			goto out;
		if (text.len == 0 || memcmp(text.data, now.data, now.len) == 0)
			*st = RW_NEW;
	}
	if (*st == RW_CHANGED && now.len == e->size &&
	    crc32(now.data, now.len) == e->ocrc) {
		if ((rc = saved(j, e, 1, &text, err)) != TALLY_OK)
			goto out;
		if (text.len == 0 || memcmp(text.data, now.data, now.len) == 0)
			*st = RW_OLD;
	}
out:
	tally_buf_free(&now);
	tally_buf_free(&text);
	return rc;
}

/* The name of the temporary file beside rel's base. */
static int
tmp_name(struct tally_buf *b, const char *base)
{
	tally_buf_reset(b);
	return tally_buf_printf(b, "%s%s", REWRITE_TMP, base);
}

int
rewrite_write(struct journal *j, size_t i, int rootfd, int old,
    struct tally_error *err)
{
	const struct jentry *e = &j->e[i];
	struct tally_buf text, tmp;
	struct stat st;
	const char *base;
	int dfd, fd, rc;

	tally_buf_init(&text);
	tally_buf_init(&tmp);
	if ((rc = saved(j, e, old, &text, err)) != TALLY_OK) {
		tally_buf_free(&text);
		return rc;
	}
	if ((rc = fs_openparent(rootfd, e->a, &dfd, &base, err)) != TALLY_OK) {
		tally_buf_free(&text);
		return rc;
	}
	if (tmp_name(&tmp, base) != TALLY_OK) {
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
		goto out;
	}
	/* The mode it has; a link or something else is not replaced. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		rc = fs_error(err, "cannot rewrite", e->a);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = tally_error_set(err, TALLY_EINVAL, 0, 0, "cannot rewrite "
		    "'%s': not a regular file", e->a);
		goto out;
	}
	/* One left by a run killed here is only a partial copy. */
	if (unlinkat(dfd, tmp.data, 0) == -1 && errno != ENOENT) {
		rc = fs_error(err, "cannot remove", tmp.data);
		goto out;
	}
	fd = openat(dfd, tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		rc = fs_error(err, "cannot create a temporary file for", e->a);
		goto out;
	}
	/* Its owner where that is allowed (as root), then its mode. */
	if (fchown(fd, st.st_uid, st.st_gid) == -1 && errno != EPERM)
		rc = fs_error(err, "cannot write a temporary file for", e->a);
	if (rc == TALLY_OK && (write_all(fd, text.data, text.len) == -1 ||
	    fchmod(fd, st.st_mode & 07777) == -1 || fsync(fd) == -1))
		rc = fs_error(err, "cannot write a temporary file for", e->a);
	if (close(fd) == -1 && rc == TALLY_OK)
		rc = fs_error(err, "cannot write a temporary file for", e->a);
	if (rc == TALLY_OK && renameat(dfd, tmp.data, dfd, base) == -1)
		rc = fs_error(err, "cannot replace", e->a);
	if (rc != TALLY_OK)
		unlinkat(dfd, tmp.data, 0);
	else if (fsync(dfd) == -1)
		rc = fs_error(err, "cannot sync directory of", e->a);
out:
	close(dfd);
	tally_buf_free(&text);
	tally_buf_free(&tmp);
	return rc;
}

/* Remove the temporary file a rewrite of entry e may have left. */
static int
rewrite_clean(int rootfd, const struct jentry *e, struct tally_error *err)
{
	struct tally_buf tmp;
	const char *slash = strrchr(e->a, '/');
	int rc;

	tally_buf_init(&tmp);
	if (tally_buf_printf(&tmp, "%.*s%s%s", slash ? (int)(slash - e->a +
	    1) : 0, e->a, REWRITE_TMP, slash ? slash + 1 : e->a) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	rc = remove_at(rootfd, tmp.data, 0, err);
	if (rc == TALLY_EIO && err->sys_errno == ENOENT)
		rc = TALLY_OK;	/* its directory is gone */
	tally_buf_free(&tmp);
	return rc;
}

int
journal_recover(struct journal *j, int rootfd, struct tally_error *err)
{
	struct jentry *e;
	struct tally_buf tmp;
	struct stat sa, sb;
	enum rw_state rs;
	const char *slash;
	size_t i;
	int a, b, rc;

	for (i = 0; i < j->n; i++) {
		e = &j->e[i];
		/* A rewrite's temporary file, whatever its state. */
		if (e->kind == TALLY_ORGANIZE_REWRITE &&
		    (rc = rewrite_clean(rootfd, e, err)) != TALLY_OK)
			return rc;
		if (e->state != J_INTENT)
			continue;
		switch (e->kind) {
		case TALLY_ORGANIZE_REWRITE:
			/*
			 * Written, it is done; else it is still to do, and
			 * the apply that goes on does it (or refuses to).
			 */
			if ((rc = rewrite_state(j, i, rootfd, &rs, err)) !=
			    TALLY_OK)
				return rc;
			if (rs == RW_NEW)
				rc = journal_mark(j, i, "done", err);
			break;
		case TALLY_ORGANIZE_MKDIR:
			if ((a = probe(rootfd, e->a, &sa, err)) < 0)
				return a;
			rc = journal_mark(j, i, a && S_ISDIR(sa.st_mode) ?
			    "done" : "skip", err);
			break;
		case TALLY_ORGANIZE_MARKER:
			/* The temporary file is only ever a partial copy. */
			tally_buf_init(&tmp);
			slash = strrchr(e->a, '/');
			if (tally_buf_printf(&tmp, "%.*s%s", slash ? (int)(slash -
			    e->a + 1) : 0, e->a, e->b) != TALLY_OK)
				return tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
			rc = remove_at(rootfd, tmp.data, 0, err);
			tally_buf_free(&tmp);
			if (rc != TALLY_OK)
				return rc;
			if ((a = probe(rootfd, e->a, &sa, err)) < 0)
				return a;
			if (a) {
				e->ino = sa.st_ino;
				e->size = (unsigned long long)sa.st_size;
			}
			rc = journal_mark(j, i, a ? "done" : "skip", err);
			break;
		default:
			if ((a = probe(rootfd, e->a, &sa, err)) < 0)
				return a;
			if ((b = probe(rootfd, e->b, &sb, err)) < 0)
				return b;
			if (a && !b && sa.st_ino == e->ino)
				rc = journal_mark(j, i, "skip", err);
			else if (!a && b && sb.st_ino == e->ino)
				rc = journal_mark(j, i, "done", err);
			else if (a && b && sa.st_ino == e->ino &&
			    sb.st_ino == e->ino && sa.st_dev == sb.st_dev) {
				/* Linked but not yet unlinked: finish it. */
				if ((rc = remove_at(rootfd, e->a, 0, err)) ==
				    TALLY_OK)
					rc = journal_mark(j, i, "done", err);
			} else
				return tally_error_set(err, TALLY_EINVAL, 0, 0,
				    "cannot tell whether '%s' was moved to "
				    "'%s'; nothing done", e->a, e->b);
		}
		if (rc != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

/* Revert one move; 1 when refused (reported), else a status. */
static int
undo_move(struct journal *j, size_t i, int rootfd,
    const struct tally_organize_opts *o, struct dirset *dirs,
    struct tally_error *err)
{
	struct jentry *e = &j->e[i];
	struct tally_error why;
	struct stat sa, sb;
	const char *ba, *bb;
	int a, b, fa, fb, rc;

	tally_error_init(&why, e->b);
	if ((a = probe(rootfd, e->a, &sa, err)) < 0 ||
	    (b = probe(rootfd, e->b, &sb, err)) < 0)
		return a < 0 ? a : b;
	if (a && !b && sa.st_ino == e->ino)
		return journal_mark(j, i, "undone", err);
	if (!b)
		tally_error_set(&why, TALLY_EINVAL, 0, 0, "cannot undo the move "
		    "from '%s': the file is gone", e->a);
	else if (a)
		tally_error_set(&why, TALLY_EINVAL, 0, 0, "cannot undo the move "
		    "from '%s': something is there now", e->a);
	else if (!S_ISREG(sb.st_mode) || sb.st_ino != e->ino ||
	    sb.st_dev != e->dev || (unsigned long long)sb.st_size != e->size ||
	    sb.st_mtim.tv_sec != e->msec || sb.st_mtim.tv_nsec != e->mnsec)
		tally_error_set(&why, TALLY_EINVAL, 0, 0, "cannot undo the move "
		    "from '%s': the file was changed or replaced since", e->a);
	else
		goto move;
	if (o->diag)
		o->diag(o->arg, TALLY_EINVAL, &why);
	return 1;
move:
	if ((rc = fs_openparent(rootfd, e->a, &fa, &ba, err)) != TALLY_OK)
		return rc;
	if ((rc = fs_openparent(rootfd, e->b, &fb, &bb, err)) != TALLY_OK) {
		close(fa);
		return rc;
	}
	if ((rc = journal_mark(j, i, "undo", err)) == TALLY_OK) {
		crash_point();
		if (fs_rename_noreplace(fb, bb, fa, ba) == -1)
			rc = fs_error(err, "cannot move back", e->b);
		else if (dirset_add(dirs, e->a) != TALLY_OK ||
		    dirset_add(dirs, e->b) != TALLY_OK)
			rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		if (rc == TALLY_OK) {
			crash_point();
			/* Lost, it is found again on the disk. */
			j->lazy = 1;
			rc = journal_mark(j, i, "undone", err);
			j->lazy = 0;
			crash_point();
		}
	}
	close(fa);
	close(fb);
	return rc;
}

/*
 * Revert one rewrite: put the old text back when the file holds the new
 * one.  1 when refused (the reason in why), 2 when there was nothing to
 * put back, else a status.
 */
static int
undo_rewrite(struct journal *j, size_t i, int rootfd,
    const struct tally_organize_opts *o, struct tally_error *why,
    struct tally_error *err)
{
	struct jentry *e = &j->e[i];
	struct tally_error w;
	enum rw_state rs;
	int rc;

	if ((rc = rewrite_state(j, i, rootfd, &rs, err)) != TALLY_OK)
		return rc;
	if (rs == RW_OLD || (rs != RW_NEW && e->state == J_INTENT)) {
		/*
		 * Never written (or already put back).  A file changed
		 * since a plan that never wrote it is someone else's.
		 */
		if (rs != RW_OLD && o->diag) {
			tally_error_init(&w, e->a);
			tally_error_set(&w, TALLY_OK, 0, 0, "changed since the "
			    "plan, which did not rewrite it; left as it is");
			o->diag(o->arg, TALLY_OK, &w);
		}
		rc = journal_mark(j, i, "undone", err);
		return rc == TALLY_OK ? 2 : rc;
	}
	if (rs != RW_NEW) {
		tally_error_set(why, TALLY_EINVAL, 0, 0, "cannot undo the "
		    "rewrite: the file was %s since", rs == RW_GONE ?
		    "removed" : "changed");
		return 1;
	}
	if ((rc = journal_mark(j, i, "undo", err)) != TALLY_OK)
		return rc;
	crash_point();
	if ((rc = rewrite_write(j, i, rootfd, 1, err)) != TALLY_OK)
		return rc;
	crash_point();
	rc = journal_mark(j, i, "undone", err);
	crash_point();
	return rc;
}

int
journal_undo(struct journal *j, int rootfd,
    const struct tally_organize_opts *o, size_t *n, struct tally_error *err)
{
	struct tally_organize_action act;
	struct tally_error why;
	struct dirset dirs = { NULL, 0 };
	struct jentry *e;
	struct stat st;
	size_t i, refused = 0;
	int rc, a;

	*n = 0;
	for (i = j->n; i-- > 0; ) {
		e = &j->e[i];
		if (e->state != J_DONE && !(e->state == J_INTENT &&
		    e->kind == TALLY_ORGANIZE_REWRITE))
			continue;
		memset(&act, 0, sizeof(act));
		act.kind = e->kind;
		act.undo = 1;
		tally_error_init(&why, e->a);
		switch (e->kind) {
		case TALLY_ORGANIZE_REWRITE:
			act.path = e->a;
			rc = undo_rewrite(j, i, rootfd, o, &why, err);
			if (rc == 2) {	/* nothing to put back */
				rc = TALLY_OK;
				continue;
			}
			break;
		case TALLY_ORGANIZE_MOVE:
			act.path = e->b;
			act.dest = e->a;
			rc = undo_move(j, i, rootfd, o, &dirs, err);
			break;
		case TALLY_ORGANIZE_MARKER:
			act.path = e->a;
			if ((a = probe(rootfd, e->a, &st, err)) < 0) {
				dirset_free(&dirs);
				return a;
			}
			if (a && (!S_ISREG(st.st_mode) || st.st_ino != e->ino ||
			    (unsigned long long)st.st_size != e->size)) {
				tally_error_set(&why, TALLY_EINVAL, 0, 0,
				    "cannot remove marker: it was changed "
				    "since");
				rc = 1;
				break;
			}
			if ((rc = journal_mark(j, i, "undo", err)) != TALLY_OK)
				break;
			crash_point();
			if ((rc = remove_at(rootfd, e->a, 0, err)) != TALLY_OK)
				break;
			crash_point();
			rc = journal_mark(j, i, "undone", err);
			crash_point();
			break;
		default:
			act.path = e->a;
			if ((a = probe(rootfd, e->a, &st, err)) < 0) {
				dirset_free(&dirs);
				return a;
			}
			if (a && S_ISDIR(st.st_mode)) {
				if ((rc = journal_mark(j, i, "undo", err)) !=
				    TALLY_OK)
					break;
				crash_point();
				rc = remove_at(rootfd, e->a, 1, err);
				if (rc != TALLY_OK && err->sys_errno ==
				    ENOTEMPTY) {
					tally_error_set(&why, TALLY_EINVAL, 0,
					    0, "cannot remove directory: it "
					    "is not empty");
					rc = 1;
					break;
				}
				if (rc != TALLY_OK)
					break;
				crash_point();
			}
			rc = journal_mark(j, i, "undone", err);
			crash_point();
		}
		if (rc == 1) {
			if (why.message[0] != '\0' && o->diag)
				o->diag(o->arg, TALLY_EINVAL, &why);
			refused++;
			continue;
		}
		if (rc != TALLY_OK) {
			dirset_free(&dirs);
			return rc;
		}
		(*n)++;
		if (o->action)
			o->action(o->arg, &act);
	}
	if ((rc = dirset_sync(&dirs, rootfd, err)) != TALLY_OK ||
	    (rc = journal_sync(j, err)) != TALLY_OK)
		return rc;
	if (refused > 0)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "%zu step%s of the last apply could not be undone", refused,
		    refused == 1 ? "" : "s");
	return journal_end(j, "reverted", err);
}
