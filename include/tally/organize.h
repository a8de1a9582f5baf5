/*
 * tally/organize.h: moving test files into category directories by rules
 * (tally-organize(1)): plan, apply with a journal, check, undo.
 *
 * Ownership: the caller owns the options and everything they point to;
 * the strings in a struct tally_organize_action and a struct tally_error
 * handed to a callback are borrowed until the callback returns.
 */
#ifndef TALLY_ORGANIZE_H
#define TALLY_ORGANIZE_H

#include <stddef.h>

#include <tally/error.h>
#include <tally/rules.h>

enum tally_organize_mode {
	TALLY_ORGANIZE_PLAN,	/* work out the plan, change nothing */
	TALLY_ORGANIZE_APPLY,	/* carry the plan out */
	TALLY_ORGANIZE_CHECK,	/* like PLAN: the caller fails on actions */
	TALLY_ORGANIZE_UNDO	/* revert the last apply from its journal */
};

enum tally_organize_kind {
	TALLY_ORGANIZE_MKDIR,	/* path: a category directory to create */
	TALLY_ORGANIZE_MARKER,	/* path: a marker file to create */
	TALLY_ORGANIZE_MOVE,	/* path to dest */
	TALLY_ORGANIZE_REWRITE,	/* PLAN, CHECK: path:line, the line from ->
				   dest; APPLY, UNDO: the reference file
				   path rewritten or put back (from,
				   dest NULL) */
	TALLY_ORGANIZE_INDEX,	/* undo: path restored (dest set) or
				   removed */
	TALLY_ORGANIZE_KEEP	/* PLAN, CHECK: path is in category, by a
				   rule with "move: false"; not a step */
};

/* One step of a plan, or of an apply or undo as it is done. */
struct tally_organize_action {
	enum tally_organize_kind kind;
	const char	*path;		/* relative to the root */
	const char	*dest;		/* MOVE only */
	const char	*category;	/* NULL in an undo */
	int		 undo;		/* the step reverts an earlier one */
	long		 line;		/* REWRITE in a plan only */
	const char	*from;		/* REWRITE in a plan only: the line as
					   it is */
};

struct tally_organize_opts {
	const char	*root;		/* project root; NULL is "." */
	const struct tally_rules *rules; /* not needed for UNDO */
	const char	*index;		/* APPLY: Markdown index file to write;
					   CHECK: to compare; or NULL */
	/* Each planned step, or each step as it is done. */
	void		(*action)(void *arg,
			    const struct tally_organize_action *a);
	/*
	 * Each problem that does not stop the run at once (collisions,
	 * skipped symlinks, refused undo steps); status is the code the
	 * run ends with, or TALLY_OK for a warning.
	 */
	void		(*diag)(void *arg, int status,
			    const struct tally_error *err);
	void		*arg;
	/*
	 * PLAN and CHECK: set to the number of paths in the reference
	 * files (CI workflows, Makefiles, ...) that name nothing once the
	 * plan is done, each reported through diag; may be NULL.
	 */
	size_t		*broken;
};

/*
 * Run one mode.  *nactions is the number of steps planned (PLAN, CHECK),
 * the rewrites of references and the broken references among them, or
 * the steps done (APPLY, UNDO).  Returns TALLY_OK, or a failure with err filled
 * (or already reported through diag, with err saying how many problems).
 *
 * APPLY and UNDO hold <root>/.tally/organize.lock and keep
 * <root>/.tally/organize.journal, compacted when a run finishes.  In a git
 * work tree they stage what they did, or what an earlier run killed before
 * staging did; a failing git fails the run.  SIGINT, SIGTERM and SIGHUP are
 * blocked during a step and end the run between steps.  The environment
 * variable TALLY_ORGANIZE_CRASH_AFTER=N (a testing hook) makes the process
 * _exit(99) at the Nth crash point: each step has three, after its journal
 * intent, after the change, and after its journal record of completion (the
 * intents of a batch of moves come before its first move, those of the
 * rewrites of reference files before the first step); the end of a
 * run up to three, while git updates the index, before the journal records
 * that, and before a compacted journal replaces the old one.
 */
int	tally_organize(const struct tally_organize_opts *o,
	    enum tally_organize_mode mode, size_t *nactions,
	    struct tally_error *err);

#endif /* TALLY_ORGANIZE_H */
