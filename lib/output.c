/*
 * lib/output.c: stdout, or a file written atomically.  The report is
 * written to an unnamed file in the target's directory (O_TMPFILE);
 * commit flushes and fsyncs it, links it in as ".NAME.tally-tmp.PID.XXXXXX",
 * renames that over the target and fsyncs the directory.  Where the file
 * system has no O_TMPFILE, the temporary file has that name from the
 * start.  A failed run leaves the previous file as it was and no
 * temporary file behind; a killed one (SIGKILL) leaves nothing from an
 * unnamed file, and at most a named one that the next run for the same
 * target removes once its process is gone.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tally/output.h>

#include "internal.h"

#define TMP_TAG	".tally-tmp."	/* .NAME.tally-tmp.PID.XXXXXX */

struct tally_output {
	FILE	*fp;
	char	*path;		/* target, NULL for stdout */
	char	*dir;		/* the target's directory */
	char	*base;		/* the target's name in it */
	char	*tmp;		/* temporary file's name, NULL while unnamed */
	char	*buf;		/* the stream's buffer, freed after fclose */
	int	 is_file;	/* writing through a temporary file */
};

/*
 * Reports are written in OUT_BUF pieces rather than stdio's 4 KiB: a
 * 100k-test stream is 18 MB, and at 4 KiB its write(2) calls cost a
 * third of merge's time.  A terminal keeps stdio's own buffering.
 */
#define OUT_BUF	(64u << 10)

static void
out_buffer(struct tally_output *o)
{
	static char stdout_buf[OUT_BUF];
	static int stdout_done;

	if (o->fp == stdout) {
		if (!stdout_done && !isatty(STDOUT_FILENO))
			(void)setvbuf(stdout, stdout_buf, _IOFBF, OUT_BUF);
		stdout_done = 1;
		return;
	}
	if ((o->buf = malloc(OUT_BUF)) != NULL &&
	    setvbuf(o->fp, o->buf, _IOFBF, OUT_BUF) != 0) {
		free(o->buf);
		o->buf = NULL;
	}
}

static int
sys_error(struct tally_error *err, const char *what, const char *path)
{
	err->sys_errno = errno;
	return tally_error_set(err, TALLY_EIO, 0, 0, "%s '%s': %s", what,
	    path, strerror(errno));
}

static void
output_free(struct tally_output *o)
{
	free(o->path);
	free(o->dir);
	free(o->base);
	free(o->tmp);
	free(o->buf);
	free(o);
}

/*
 * Remove the temporary files of earlier runs for the same target whose
 * process is gone (killed before it could clean up).  Only regular files
 * of ours that follow the naming exactly are touched; a file whose process
 * still runs is left alone.
 */
static void
clean_stale(const struct tally_output *o)
{
	struct dirent *de;
	struct stat st;
	char *prefix, *end;
	size_t plen;
	long pid;
	DIR *d;

	if (asprintf(&prefix, ".%s" TMP_TAG, o->base) < 0)
		return;
	plen = strlen(prefix);
	if ((d = opendir(o->dir)) == NULL) {
		free(prefix);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		errno = 0;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '.' ||
		    strlen(end + 1) != 6 || pid <= 0 || errno != 0 ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	free(prefix);
}

/* A fresh temporary name beside the target, in o->tmp. */
static int
tmp_name(struct tally_output *o, int template)
{
	static const char abc[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	char suffix[7];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)time(NULL) ^
		    (unsigned long)clock() ^ (unsigned long)(size_t)o;

		for (i = 0; i < sizeof(r); i++, x >>= 5)
			r[i] = (unsigned char)(x + i * 7);
	}
	for (i = 0; i < sizeof(r); i++)
		suffix[i] = template ? 'X' : abc[r[i] % (sizeof(abc) - 1)];
	suffix[6] = '\0';
	free(o->tmp);
	if (asprintf(&o->tmp, "%s/.%s" TMP_TAG "%ld.%s", o->dir, o->base,
	    (long)getpid(), suffix) < 0) {
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

/*
 * An unnamed file in the target's directory, when the file system has
 * O_TMPFILE and it can be linked in later (through /proc/self/fd).
 */
static int
open_unnamed(const struct tally_output *o)
{
#ifdef O_TMPFILE
	if (access("/proc/self/fd", X_OK) != 0)
		return -1;
	return open(o->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#else
	(void)o;
	return -1;
#endif
}

/* Give the unnamed file a temporary name beside the target. */
static int
link_unnamed(struct tally_output *o)
{
	char proc[64];
	int fd = fileno(o->fp), tries;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (tries = 0; tries < 100; tries++) {
		if (tmp_name(o, 0) != 0) {
			errno = ENOMEM;
			return -1;
		}
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	free(o->tmp);
	o->tmp = NULL;
	return -1;
}

static int
open_output(struct tally_output **out, const char *path, int named,
    struct tally_error *err)
{
	struct tally_output *o;
	struct stat st;
	char *dup = NULL, *base;
	mode_t um;
	int fd = -1, e;

	*out = NULL;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		out_buffer(o);
		*out = o;
		return TALLY_OK;
	}
	/* Devices, FIFOs and the like are written directly. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fp = fopen(path, "w")) == NULL) {
			free(o);
			return sys_error(err, "cannot open", path);
		}
		o->path = strdup(path);
		*out = o;
		return TALLY_OK;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : (char *)path;
	if ((o->path = strdup(path)) == NULL || (dup = strdup(path)) == NULL ||
	    (o->dir = strdup(dirname(dup))) == NULL ||
	    (o->base = strdup(base)) == NULL)
		goto nomem;
	free(dup);
	dup = NULL;
	clean_stale(o);
	if (!named)
		fd = open_unnamed(o);
	if (fd < 0) {
		if (tmp_name(o, 1) != 0)
			goto nomem;
		if ((fd = mkstemp(o->tmp)) < 0) {
			/* Name the file asked for, not the temporary one. */
			e = sys_error(err, "cannot create", path);
			output_free(o);
			return e;
		}
		/* mkstemp creates it 0600: give it what open(2) would. */
		um = umask(0);
		umask(um);
		(void)fchmod(fd, 0666 & ~um);
	}
	if ((o->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		if (o->tmp != NULL)
			unlink(o->tmp);
		goto nomem;
	}
	o->is_file = 1;
	out_buffer(o);
	*out = o;
	return TALLY_OK;
nomem:
	free(dup);
	output_free(o);
	return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
}

int
tally_output_open(struct tally_output **out, const char *path,
    struct tally_error *err)
{
	return open_output(out, path, 0, err);
}

int
tally_output_open_named(struct tally_output **out, const char *path,
    struct tally_error *err)
{
	return open_output(out, path, 1, err);
}

FILE *
tally_output_file(struct tally_output *o)
{
	return o->fp;
}

int
tally_output_commit(struct tally_output *o, struct tally_error *err)
{
	int rc = TALLY_OK, dfd;

	if (!o->is_file) {
		if (fflush(o->fp) != 0 || ferror(o->fp)) {
			err->sys_errno = errno;
			rc = tally_error_set(err, TALLY_EIO, 0, 0,
			    "write error: %s", strerror(errno));
		}
		if (o->fp != stdout && fclose(o->fp) != 0 && rc == TALLY_OK)
			rc = tally_error_set(err, TALLY_EIO, 0, 0,
			    "write error: %s", strerror(errno));
		output_free(o);
		return rc;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0) {
		rc = sys_error(err, "write error on", o->path);
		fclose(o->fp);
		goto fail;
	}
	if (o->tmp == NULL && link_unnamed(o) != 0) {
		rc = sys_error(err, "cannot create", o->path);
		fclose(o->fp);
		goto fail;
	}
	if (fclose(o->fp) != 0) {
		rc = sys_error(err, "write error on", o->path);
		goto fail;
	}
	if (rename(o->tmp, o->path) != 0) {
		rc = sys_error(err, "cannot rename to", o->path);
		goto fail;
	}
	if ((dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	output_free(o);
	return TALLY_OK;
fail:
	if (o->tmp != NULL)
		unlink(o->tmp);
	output_free(o);
	return rc;
}

void
tally_output_abort(struct tally_output *o)
{
	if (o == NULL)
		return;
	if (o->is_file) {
		fclose(o->fp);
		if (o->tmp != NULL)
			unlink(o->tmp);
	} else if (o->fp != stdout)
		fclose(o->fp);
	output_free(o);
}
