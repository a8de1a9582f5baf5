/*
 * lib/organize/safefs.c: directory walks below a root that never follow a
 * symbolic link, and a rename that never replaces.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "organize_int.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

int
fs_error(struct tally_error *err, const char *what, const char *path)
{
	int e = errno;

	if (err == NULL)
		return TALLY_EIO;
	err->sys_errno = e;
	return tally_error_set(err, TALLY_EIO, 0, 0, "%s '%s': %s", what, path,
	    strerror(e));
}

int
fs_opendir(int rootfd, const char *rel, int create, int *out,
    struct tally_error *err)
{
	char comp[NAME_MAX + 1];
	const char *p = rel, *slash;
	size_t n;
	int fd, nfd;

	*out = -1;
	if ((fd = openat(rootfd, ".", DIR_FLAGS)) == -1)
		return fs_error(err, "cannot open", ".");
	while (*p != '\0') {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(fd);
			return tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "refusing path '%s' that may leave the root", rel);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		nfd = openat(fd, comp, DIR_FLAGS);
		if (nfd == -1 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0777) == -1 && errno != EEXIST) {
				close(fd);
				return fs_error(err, "cannot create", rel);
			}
			nfd = openat(fd, comp, DIR_FLAGS);
		}
		if (nfd == -1) {
			int e = errno;

			close(fd);
			if (e == ELOOP || e == ENOTDIR) {
				err->sys_errno = e;
				return tally_error_set(err, TALLY_EINVAL, 0, 0,
				    "refusing symlink or non-directory '%.*s' "
				    "in path '%s'", (int)(p - rel + n), rel,
				    rel);
			}
			errno = e;
			return fs_error(err, "cannot open", rel);
		}
		close(fd);
		fd = nfd;
		p += n;
		if (*p == '/')
			p++;
	}
	*out = fd;
	return TALLY_OK;
}

int
fs_openparent(int rootfd, const char *rel, int *fd, const char **base,
    struct tally_error *err)
{
	const char *slash = strrchr(rel, '/');
	char *dir;
	int rc;

	*base = slash ? slash + 1 : rel;
	if (slash == NULL)
		return fs_opendir(rootfd, "", 0, fd, err);
	if ((dir = strndup(rel, (size_t)(slash - rel))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	rc = fs_opendir(rootfd, dir, 0, fd, err);
	free(dir);
	return rc;
}

int
fs_rename_noreplace(int ofd, const char *old, int nfd, const char *new)
{
	if (syscall(SYS_renameat2, ofd, old, nfd, new, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE here: link fails atomically on EEXIST. */
	if (linkat(ofd, old, nfd, new, 0) == -1)
		return -1;
	return unlinkat(ofd, old, 0);
}

int
dirset_add(struct dirset *d, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0, i;
	char **v;

	for (i = 0; i < d->n; i++)
		if (strlen(d->dirs[i]) == n && strncmp(d->dirs[i], rel, n) == 0)
			return TALLY_OK;
	if ((v = realloc(d->dirs, (d->n + 1) * sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	d->dirs = v;
	if ((v[d->n] = strndup(rel, n)) == NULL)
		return TALLY_ENOMEM;
	d->n++;
	return TALLY_OK;
}

int
dirset_sync(struct dirset *d, int rootfd, struct tally_error *err)
{
	size_t i;
	int fd, rc = TALLY_OK;

	for (i = 0; i < d->n && rc == TALLY_OK; i++) {
		rc = fs_opendir(rootfd, d->dirs[i], 0, &fd, err);
		if (rc == TALLY_EIO && err->sys_errno == ENOENT) {
			/* Removed since (an undone mkdir): nothing to sync. */
			rc = TALLY_OK;
			err->sys_errno = 0;
			continue;
		}
		if (rc != TALLY_OK)
			break;
		if (fsync(fd) == -1)
			rc = fs_error(err, "cannot sync directory", d->dirs[i]);
		close(fd);
	}
	dirset_free(d);
	return rc;
}

void
dirset_free(struct dirset *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->dirs[i]);
	free(d->dirs);
	d->dirs = NULL;
	d->n = 0;
}

void
crash_point(void)
{
	static long left = -1;
	const char *s;

	if (left == -1) {
		s = getenv("TALLY_ORGANIZE_CRASH_AFTER");
		left = s != NULL && *s != '\0' ? strtol(s, NULL, 10) : 0;
		if (left <= 0)
			left = 0;
	}
	if (left > 0 && --left == 0)
		_exit(99);
}
