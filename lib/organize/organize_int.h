/*
 * lib/organize/organize_int.h: what lib/organize/organize.c, lib/organize/journal.c and
 * lib/organize/organize_git.c share: safe walks below the project root, the
 * journal, staging in git, the crash hook.
 *
 * Ownership: a struct journal owns its file descriptor and its entries;
 * journal_close() releases both.
 */
#ifndef TALLY_ORGANIZE_INT_H
#define TALLY_ORGANIZE_INT_H

#ifndef TALLY_BUILDING_LIB
#error "lib/organize/organize_int.h is private to libtally"
#endif

#include <sys/types.h>

#include <tally/organize.h>

#include "internal.h"

/*
 * Open the directory rel (relative to rootfd, "" for rootfd itself) one
 * component at a time, never following a symbolic link.  With create,
 * missing components are made.  A missing directory gives TALLY_EIO with
 * err->sys_errno ENOENT; a symlink or non-directory in the way gives
 * TALLY_EINVAL.
 */
int	fs_opendir(int rootfd, const char *rel, int create, int *fd,
	    struct tally_error *err);
/* The same for the directory holding rel; *base points into rel. */
int	fs_openparent(int rootfd, const char *rel, int *fd, const char **base,
	    struct tally_error *err);
/* renameat2 with RENAME_NOREPLACE, or link and unlink where missing. */
int	fs_rename_noreplace(int ofd, const char *old, int nfd, const char *new);
/* An error with strerror(errno) appended, naming path. */
int	fs_error(struct tally_error *err, const char *what, const char *path);

/*
 * The directories whose entries changed, to fsync once before the run's
 * last journal record instead of after every move.
 */
struct dirset {
	char	**dirs;
	size_t	  n;
};

/* Remember the directory holding rel. */
int	dirset_add(struct dirset *d, const char *rel);
/* fsync every directory remembered; the set is emptied either way. */
int	dirset_sync(struct dirset *d, int rootfd, struct tally_error *err);
void	dirset_free(struct dirset *d);

/* The testing hook TALLY_ORGANIZE_CRASH_AFTER: exit at the Nth point. */
void	crash_point(void);

enum jstate { J_INTENT, J_DONE, J_SKIP, J_UNDONE };

struct jentry {
	enum tally_organize_kind kind;
	enum jstate	 state;
	char		*a;		/* path, or source */
	char		*b;		/* destination, a marker's temp, or
					   a rewrite's saved copies */
	unsigned long long dev, ino, size;
	long long	 msec, mnsec;
	/* A rewrite: size and CRC-32 of the text before (size) and after. */
	unsigned long long nsize;
	unsigned long	 ocrc, ncrc;
};

struct journal {
	int		 fd;
	int		 dfd;		/* .tally, borrowed */
	struct jentry	*e;		/* the last run's steps; seq = index+1 */
	size_t		 n;
	int		 run;		/* a run was begun */
	int		 committed;	/* ... and finished */
	int		 undoing;	/* an undo of it was begun */
	int		 reverted;	/* ... and finished */
	int		 staged;	/* the finished one was staged in git */
	int		 lazy;		/* append without syncing */
};

/*
 * Open (creating it when create is set) and read the journal in the
 * directory dfd.  A torn last line is ignored, and cut off when create
 * is set; any other bad line is an error.  A missing journal reads as
 * empty.
 */
int	journal_open(struct journal *j, int dfd, int create,
	    struct tally_error *err);
void	journal_close(struct journal *j);
/*
 * Append a record and sync it (unless j->lazy is set: a record whose loss
 * recovery makes good by looking at the disk, or one synced with the
 * next).
 */
int	journal_begin(struct journal *j, struct tally_error *err);
/* Remove the saved copies of rewrites (of a run no longer journalled). */
int	journal_drop_saved(struct journal *j, struct tally_error *err);
int	journal_intent(struct journal *j, const struct jentry *e,
	    struct tally_error *err);
int	journal_mark(struct journal *j, size_t i, const char *op,
	    struct tally_error *err);
int	journal_end(struct journal *j, const char *op,
	    struct tally_error *err);
int	journal_sync(struct journal *j, struct tally_error *err);
/* An interrupted run that is neither finished nor reverted. */
int	journal_pending(const struct journal *j);
/* A finished run (or undo) that git has not been told of. */
int	journal_unstaged(const struct journal *j);
/*
 * Replace the journal of a run that is not pending with one that holds
 * only what its state needs (nothing after a staged undo), when that is
 * shorter: written to organize.journal.tmp, synced, renamed over it.
 */
int	journal_compact(struct journal *j, struct tally_error *err);
/* Settle steps with an intent and no outcome by looking at the disk. */
int	journal_recover(struct journal *j, int rootfd, struct tally_error *err);
/*
 * Revert the last run, newest step first.  Refused steps go to diag;
 * *n counts the steps reverted.
 */
int	journal_undo(struct journal *j, int rootfd,
	    const struct tally_organize_opts *o, size_t *n,
	    struct tally_error *err);

/*
 * Rewrites of reference files.  A rewrite step's entry names the file (a)
 * and its saved copies (b): .tally/B.old, the text the plan read, and
 * .tally/B.new, the text it writes, both synced before the intent is
 * journalled.  The file is replaced through a temporary file beside it,
 * .tally-new.NAME, with the mode it has, and the directory synced.
 */
enum rw_state { RW_OLD, RW_NEW, RW_CHANGED, RW_GONE };

/* Save the two texts of entry e in the journal's directory, synced. */
int	rewrite_save(struct journal *j, const struct jentry *e,
	    const char *old, const char *new, struct tally_error *err);
/* Compare the file of entry i with its saved texts. */
int	rewrite_state(struct journal *j, size_t i, int rootfd,
	    enum rw_state *st, struct tally_error *err);
/* Replace the file of entry i with its new text, or its old one. */
int	rewrite_write(struct journal *j, size_t i, int rootfd, int old,
	    struct tally_error *err);
/* Read rel below rootfd, a regular file, never through a link. */
int	fs_slurp(int rootfd, const char *rel, struct tally_buf *b,
	    struct tally_error *err);
/* CRC-32 of n bytes. */
unsigned long journal_crc(const char *s, size_t n);

/*
 * In a git work tree, make the index agree with the disk for the journal's
 * run (or its undo, with undo set), the way git mv would: both paths of
 * every move of a tracked file, and the markers with them.  It reads the
 * journal's state, not what happened in this process, so that running it
 * again after a kill repairs the index.  The git children hold lockfd
 * (the organize lock) until they exit, even when this process is killed,
 * so that no run starts while one of them runs.  Not in a work tree, or
 * without git, it does nothing.  A git failure is an error naming the git
 * command and its status.
 */
int	organize_git_stage(const struct tally_organize_opts *o,
	    const struct journal *j, int undo, int lockfd,
	    struct tally_error *err);

/*
 * References (lib/organize/refs.c): the files that name test paths, read
 * against the layout a plan leaves.
 */
struct refs_plan {
	const char	*root;		/* as given, for glob(3) */
	char		**src, **dst;	/* the moves */
	size_t		 nmoves;
	char		**dirs;		/* directories the plan makes */
	size_t		 ndirs;
	const char	*used;		/* per category: it holds files */
	int		 rewrite;	/* a moved path is a rewrite, not an
					   error */
};

/* A reference file read, split into lines. */
struct refs_file {
	char		*name;		/* relative to the root */
	char		*text;
	size_t		 len;
	const char	**line;		/* line[i] starts line i + 1 */
	size_t		 nlines;
};

/* One path to rewrite: len bytes at off in file, for move number move. */
struct refs_rewrite {
	char		*file;
	size_t		 off, len;
	long		 line;
	size_t		 move;
};

struct refs_result {
	struct refs_file *files;
	size_t		 nfiles;
	struct refs_rewrite *rw;	/* in file order, then offset */
	size_t		 nrw;
	size_t		 broken;	/* paths and globs reported */
};

/*
 * Read the reference files below rootfd (.github/workflows/, the top
 * level's CI, Makefile, *.mk, tox.ini, pytest.ini, setup.cfg,
 * pyproject.toml, package.json, .pre-commit-config.yaml, the rules'
 * references:), and the commands of the categories in use.  Every path
 * that names nothing once the plan is done goes to o->diag as an error
 * with its file and line, counted in res->broken; with plan->rewrite,
 * a path the plan moves is a rewrite instead.
 */
int	refs_check(int rootfd, const struct tally_rules *r,
	    const struct refs_plan *plan, const struct tally_organize_opts *o,
	    struct refs_result *res, struct tally_error *err);
void	refs_result_free(struct refs_result *res);

#endif /* TALLY_ORGANIZE_INT_H */
