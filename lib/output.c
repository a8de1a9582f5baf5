/*
 * lib/output.c: stdout, or a file written atomically: a temporary file
 * beside the target, fsync, rename, fsync of the directory.  A failed run
 * leaves the previous file as it was and no temporary file behind.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tally/output.h>

#include "internal.h"

struct tally_output {
	FILE	*fp;
	char	*path;		/* target, NULL for stdout */
	char	*tmp;		/* temporary file beside it */
	int	 is_file;	/* writing through a temporary file */
};

static int
sys_error(struct tally_error *err, const char *what, const char *path)
{
	err->sys_errno = errno;
	return tally_error_set(err, TALLY_EIO, 0, 0, "%s '%s': %s", what,
	    path, strerror(errno));
}

int
tally_output_open(struct tally_output **out, const char *path,
    struct tally_error *err)
{
	struct tally_output *o;
	struct stat st;
	char *dup = NULL, *dir, *base;
	mode_t um;
	int fd;

	*out = NULL;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
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
	if ((o->path = strdup(path)) == NULL || (dup = strdup(path)) == NULL)
		goto nomem;
	dir = dirname(dup);
	base = strrchr(path, '/');
	base = base ? base + 1 : (char *)path;
	if (asprintf(&o->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		o->tmp = NULL;
		goto nomem;
	}
	free(dup);
	if ((fd = mkstemp(o->tmp)) < 0) {
		/* Name the file the user asked for, not the temporary one. */
		int rc = sys_error(err, "cannot create", path);

		free(o->tmp);
		free(o->path);
		free(o);
		return rc;
	}
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	if ((o->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		free(o->path);
		free(o);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	o->is_file = 1;
	*out = o;
	return TALLY_OK;
nomem:
	free(dup);
	free(o->path);
	free(o);
	return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
}

FILE *
tally_output_file(struct tally_output *o)
{
	return o->fp;
}

static void
output_free(struct tally_output *o)
{
	free(o->path);
	free(o->tmp);
	free(o);
}

int
tally_output_commit(struct tally_output *o, struct tally_error *err)
{
	char *dup;
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
	if (fclose(o->fp) != 0) {
		rc = sys_error(err, "write error on", o->path);
		goto fail;
	}
	if (rename(o->tmp, o->path) != 0) {
		rc = sys_error(err, "cannot rename to", o->path);
		goto fail;
	}
	if ((dup = strdup(o->path)) != NULL) {
		if ((dfd = open(dirname(dup), O_RDONLY | O_DIRECTORY)) >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dup);
	}
	output_free(o);
	return TALLY_OK;
fail:
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
		unlink(o->tmp);
	} else if (o->fp != stdout)
		fclose(o->fp);
	output_free(o);
}
