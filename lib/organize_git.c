/*
 * lib/organize_git.c: staging organize's moves in git, the way git mv
 * would, so that git status shows renames.  The journal stays the record
 * of what moved; git only learns of it afterwards.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "organize_int.h"

/*
 * Run git -C root --literal-pathspecs ARGS... -- PATHS...; with out, keep
 * its standard output there.  Returns its exit status, or -1.
 */
static int
git(const char *root, const char *const *args, size_t nargs,
    char *const *paths, size_t npaths, struct tally_buf *out)
{
	char **argv;
	char buf[4096];
	size_t i, k = 0;
	pid_t pid;
	ssize_t n;
	int pfd[2] = { -1, -1 }, st, nul;

	if ((argv = calloc(nargs + npaths + 6, sizeof(*argv))) == NULL)
		return -1;
	argv[k++] = "git";
	argv[k++] = "-C";
	argv[k++] = (char *)root;
	argv[k++] = "--literal-pathspecs";
	for (i = 0; i < nargs; i++)
		argv[k++] = (char *)args[i];
	argv[k++] = "--";
	for (i = 0; i < npaths; i++)
		argv[k++] = paths[i];
	if (out != NULL && pipe(pfd) == -1) {
		free(argv);
		return -1;
	}
	if ((pid = fork()) == -1) {
		free(argv);
		if (out != NULL) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0) {
		nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(out != NULL ? pfd[1] : nul, 1);
		dup2(nul, 2);
		execvp("git", argv);
		_exit(127);
	}
	free(argv);
	if (out != NULL) {
		close(pfd[1]);
		while ((n = read(pfd[0], buf, sizeof(buf))) != 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 || tally_buf_add(out, buf, (size_t)n) !=
			    TALLY_OK)
				break;
		}
		close(pfd[0]);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
tracked(const struct tally_buf *ls, const char *path)
{
	const char *p = ls->data, *end = ls->data + ls->len;

	while (p != NULL && p < end) {
		if (strcmp(p, path) == 0)
			return 1;
		p += strlen(p) + 1;
	}
	return 0;
}

/*
 * Stage the steps of the journal's run (or its undo) in git, the way git
 * mv would: only moves of tracked files, both of their paths, so that git
 * status shows renames; markers too when any move was staged.
 */
void
organize_git_stage(const struct tally_organize_opts *o,
    const struct journal *j, int undo)
{
	static const char *const ls[] = { "ls-files", "-z" };
	static const char *const add[] = { "add", "-A" };
	const char *root = o->root ? o->root : ".";
	char **paths;
	struct tally_buf out;
	struct tally_error e;
	size_t i, n = 0, moves;
	const struct jentry *s;
	int want = undo ? J_UNDONE : J_DONE;

	if ((paths = calloc(2 * j->n + 1, sizeof(*paths))) == NULL)
		return;
	for (i = 0; i < j->n; i++)
		if (j->e[i].kind == TALLY_ORGANIZE_MOVE &&
		    j->e[i].state == (enum jstate)want)
			paths[n++] = undo ? j->e[i].b : j->e[i].a;
		else if (undo && j->e[i].kind == TALLY_ORGANIZE_MARKER &&
		    j->e[i].state == J_UNDONE)
			paths[n++] = j->e[i].a;
	tally_buf_init(&out);
	if (n == 0 || git(root, ls, 2, paths, n, &out) != 0 || out.len == 0) {
		tally_buf_free(&out);
		free(paths);
		return;
	}
	n = 0;
	for (i = 0; i < j->n; i++) {
		s = &j->e[i];
		if (s->kind == TALLY_ORGANIZE_MOVE && s->state ==
		    (enum jstate)want && tracked(&out, undo ? s->b : s->a)) {
			paths[n++] = s->a;
			paths[n++] = s->b;
		}
	}
	moves = n;
	for (i = 0; i < j->n && moves > 0; i++) {
		s = &j->e[i];
		if (s->kind == TALLY_ORGANIZE_MARKER && s->state ==
		    (enum jstate)want && (!undo || tracked(&out, s->a)))
			paths[n++] = s->a;
	}
	if (moves > 0 && git(root, add, 2, paths, n, NULL) != 0 &&
	    o->diag) {
		tally_error_init(&e, root);
		tally_error_set(&e, TALLY_OK, 0, 0, "'git add' failed; the "
		    "moves are done but not staged");
		o->diag(o->arg, TALLY_OK, &e);
	}
	tally_buf_free(&out);
	free(paths);
}
