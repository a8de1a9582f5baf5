/*
 * lib/organize/organize_git.c: staging organize's moves in git, the way git mv
 * would, so that git status shows renames.  The journal stays the record
 * of what moved; git only learns of it afterwards, and the journal says
 * when it has ("staged"), so that a run killed before then is repaired
 * by the next one.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "organize_int.h"

#define GIT_ERR_KEEP	4096	/* bytes of git's stderr kept */
#define LS_CHUNK	512	/* pathspecs per git ls-files */

extern char **environ;

struct git_run {
	const char	*root;
	int		 lockfd;
	const char *const *args;	/* after git -C root ... */
	size_t		 nargs;
	char *const	*paths;		/* after --, or NULL */
	size_t		 npaths;
	const struct tally_buf *in;	/* standard input, or NULL */
	struct tally_buf *out;		/* standard output, or NULL */
	struct tally_buf errout;	/* standard error, its start */
	int		 status;	/* exit status, or -1 */
	int		 sig;		/* the signal that killed it, or 0 */
	int		 crash;		/* a crash point while it runs */
};

/* The environment with LC_ALL=C, so that git's messages can be read. */
static char **
c_locale_env(void)
{
	char **env;
	size_t i, n = 0;

	for (i = 0; environ[i] != NULL; i++)
		;
	if ((env = calloc(i + 2, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			env[n++] = environ[i];
	env[n++] = "LC_ALL=C";
	return env;
}

/* fd as the child's descriptor to; -1 when that fails. */
static int
give(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to) == -1 ? -1 : 0;
}

/* In the child: the set-up before exec, then exec; never returns. */
static void
child(struct git_run *g, char **argv, char **env, int in, int out,
    int errfd, int report)
{
	int e;

	/*
	 * SIGINT, SIGTERM and SIGHUP stay held, as they are in the run: a
	 * git killed half-way can leave its index.lock behind.
	 */
	signal(SIGPIPE, SIG_DFL);
	if (give(in, 0) == -1 || give(out, 1) == -1 || give(errfd, 2) == -1)
		goto fail;
	/*
	 * git holds the organize lock until it exits, so that when this run
	 * is killed, no other starts before git is done.
	 */
	if (g->lockfd != -1 && fcntl(g->lockfd, F_SETFD, 0) == -1)
		goto fail;
	execvpe("git", argv, env);
fail:
	e = errno;
	(void)!write(report, &e, sizeof(e));
	_exit(127);
}

/* Read what is there on fd into b (up to max bytes kept); 0 at its end. */
static int
drain(int fd, struct tally_buf *b, size_t max)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return n == -1 && errno == EAGAIN ? 1 : 0;
	if (b != NULL && b->len < max && tally_buf_add(b, buf,
	    (size_t)n > max - b->len ? max - b->len : (size_t)n) != TALLY_OK)
		return -1;
	return 1;
}

/*
 * Feed g->in to git's standard input and collect its standard output and
 * error until it closes them; -1 with errno set when that fails.
 */
static int
talk(struct git_run *g, int in, int out, int errfd)
{
	struct pollfd p[3];
	size_t off = 0;
	ssize_t w;
	int n = 0, r;

	if (in != -1 && fcntl(in, F_SETFL, O_NONBLOCK) == -1)
		return -1;
	if (in != -1 && (g->in == NULL || g->in->len == 0)) {
		close(in);
		in = -1;
	}
	while (in != -1 || out != -1 || errfd != -1) {
		p[0].fd = in;
		p[0].events = POLLOUT;
		p[1].fd = out;
		p[1].events = POLLIN;
		p[2].fd = errfd;
		p[2].events = POLLIN;
		if ((n = poll(p, 3, -1)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in != -1 && p[0].revents != 0) {
			w = write(in, g->in->data + off, g->in->len - off);
			if (w > 0)
				off += (size_t)w;
			/* EPIPE: git stopped reading; its status says why. */
			if ((w == -1 && errno != EINTR && errno != EAGAIN) ||
			    off == g->in->len) {
				close(in);
				in = -1;
			}
		}
		if (out != -1 && p[1].revents != 0 &&
		    (r = drain(out, g->out, (size_t)-1)) <= 0) {
			close(out);
			out = -1;
			if (r < 0) {
				n = -1;
				errno = ENOMEM;
				break;
			}
		}
		if (errfd != -1 && p[2].revents != 0 &&
		    drain(errfd, &g->errout, GIT_ERR_KEEP) <= 0) {
			close(errfd);
			errfd = -1;
		}
	}
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (errfd != -1)
		close(errfd);
	return n == -1 ? -1 : 0;
}

static void
close_pair(int *p)
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/*
 * Run git -C root --literal-pathspecs ARGS... [-- PATHS...].  Returns
 * TALLY_OK with g->status set once git ran (whatever its status), else
 * an error (git could not be started: ENOENT in err->sys_errno when there
 * is no git).
 */
static int
git(struct git_run *g, struct tally_error *err)
{
	char **argv, **env;
	size_t i, k = 0;
	sigset_t pipeset, old;
	pid_t pid;
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int rep[2] = { -1, -1 }, st, e = 0, rc = TALLY_OK, nul;
	ssize_t n;

	tally_buf_reset(&g->errout);
	g->status = -1;
	g->sig = 0;
	argv = calloc(g->nargs + g->npaths + 6, sizeof(*argv));
	env = c_locale_env();
	if (argv == NULL || env == NULL) {
		free(argv);
		free(env);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	argv[k++] = "git";
	argv[k++] = "-C";
	argv[k++] = (char *)g->root;
	argv[k++] = "--literal-pathspecs";
	for (i = 0; i < g->nargs; i++)
		argv[k++] = (char *)g->args[i];
	if (g->paths != NULL) {
		argv[k++] = "--";
		for (i = 0; i < g->npaths; i++)
			argv[k++] = g->paths[i];
	}
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul == -1 || pipe2(pin, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1 ||
	    (g->out != NULL && pipe2(pout, O_CLOEXEC) == -1)) {
		rc = fs_error(err, "cannot run", "git");
		goto out;
	}
	if ((pid = fork()) == -1) {
		rc = fs_error(err, "cannot run", "git");
		goto out;
	}
	if (pid == 0)
		child(g, argv, env, pin[0], g->out ? pout[1] : nul, perr[1],
		    rep[1]);
	if (g->crash)
		crash_point();
	close(pin[0]);
	close(perr[1]);
	close(rep[1]);
	pin[0] = perr[1] = rep[1] = -1;
	if (g->out != NULL) {
		close(pout[1]);
		pout[1] = -1;
	}
	do
		n = read(rep[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	/* Writing to a git that stopped reading is not to kill this run. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &old);
	if (n != (ssize_t)sizeof(e)) {
		/* talk() closes them; else close_pair() does below. */
		if (talk(g, pin[1], g->out ? pout[0] : -1, perr[0]) == -1)
			rc = fs_error(err, "cannot talk to", "git");
		pin[1] = pout[0] = perr[0] = -1;
	}
	if (!sigismember(&old, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipeset, NULL, &zero) == SIGPIPE)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	if (rc == TALLY_OK && n == (ssize_t)sizeof(e)) {
		errno = e;
		rc = fs_error(err, "cannot run", "git");
	} else if (rc == TALLY_OK && st == -1)
		rc = fs_error(err, "cannot wait for", "git");
	else if (rc == TALLY_OK) {
		g->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		g->sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
out:
	close_pair(pin);
	close_pair(pout);
	close_pair(perr);
	close_pair(rep);
	if (nul != -1)
		close(nul);
	free(argv);
	free(env);
	return rc;
}

/* "git ARGS failed with status N: FIRST LINE OF ITS STDERR". */
static int
git_failed(const struct git_run *g, const char *after,
    struct tally_error *err)
{
	struct tally_buf cmd;
	const char *msg = g->errout.data ? g->errout.data : "";
	size_t i;
	int len;

	tally_buf_init(&cmd);
	(void)!tally_buf_adds(&cmd, "git");
	for (i = 0; i < g->nargs; i++)
		(void)!tally_buf_printf(&cmd, " %s", g->args[i]);
	while (*msg == '\n')
		msg++;
	len = (int)strcspn(msg, "\n");
	if (len > 0 && msg[len - 1] == '.')
		len--;
	tally_error_set(err, TALLY_EIO, 0, 0, "'%s' %s %d%s%.*s; %s",
	    cmd.data ? cmd.data : "git", g->sig ? "was killed by signal" :
	    "failed with status", g->sig ? g->sig : g->status, len > 0 ?
	    ": " : "", len, msg, after);
	tally_buf_free(&cmd);
	return TALLY_EIO;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
tracked(char **idx, size_t n, const char *path)
{
	return bsearch(&path, idx, n, sizeof(*idx), by_str) != NULL;
}

/* Is root in a git work tree?  1 yes, 0 no (or no git), else an error. */
static int
in_work_tree(struct git_run *g, const char *after, struct tally_error *err)
{
	static const char *const args[] = { "rev-parse",
	    "--is-inside-work-tree" };
	struct tally_buf out;
	int rc;

	tally_buf_init(&out);
	g->args = args;
	g->nargs = 2;
	g->out = &out;
	if ((rc = git(g, err)) != TALLY_OK) {
		if (err->sys_errno == ENOENT) {
			err->sys_errno = 0;
			rc = 0;	/* no git, so no index to keep */
		}
	} else if (g->status == 0)
		rc = out.len >= 4 && memcmp(out.data, "true", 4) == 0;
	else if (g->status == 128 && g->errout.data != NULL &&
	    strstr(g->errout.data, "not a git repository") != NULL)
		rc = 0;
	else
		rc = git_failed(g, after, err);
	tally_buf_free(&out);
	g->out = NULL;
	return rc;
}

int
organize_git_stage(const struct tally_organize_opts *o,
    const struct journal *j, int undo, int lockfd, struct tally_error *err)
{
	static const char *const ls[] = { "ls-files", "-z" };
	static const char *const upd[] = { "update-index", "--add",
	    "--remove", "-z", "--stdin" };
	const char *after = undo ? "the files are back but git does not show "
	    "it: run --undo again to stage it" : "the files are moved but git "
	    "does not show it: run --apply again to stage the moves";
	struct git_run g;
	struct tally_buf lsout, in;
	const struct jentry *s;
	char **paths = NULL, **idx = NULL, *p;
	size_t i, n = 0, nidx = 0, moves = 0, k;
	int rc, want = undo ? J_UNDONE : J_DONE;

	memset(&g, 0, sizeof(g));
	g.root = o->root ? o->root : ".";
	g.lockfd = lockfd;
	tally_buf_init(&g.errout);
	tally_buf_init(&lsout);
	tally_buf_init(&in);
	/* Both paths of every move: whichever git knows, it is tracked. */
	if ((paths = calloc(2 * j->n + 1, sizeof(*paths))) == NULL)
		goto nomem;
	for (i = 0; i < j->n; i++)
		if (j->e[i].kind == TALLY_ORGANIZE_MOVE &&
		    j->e[i].state == (enum jstate)want) {
			paths[n++] = j->e[i].a;
			paths[n++] = j->e[i].b;
		}
	if (n == 0) {
		rc = TALLY_OK;
		goto out;
	}
	if ((rc = in_work_tree(&g, after, err)) <= 0)
		goto out;
	g.args = ls;
	g.nargs = 2;
	g.out = &lsout;
	for (i = 0; i < n; i += k) {
		k = n - i < LS_CHUNK ? n - i : LS_CHUNK;
		g.paths = paths + i;
		g.npaths = k;
		if ((rc = git(&g, err)) != TALLY_OK)
			goto out;
		if (g.status != 0) {
			rc = git_failed(&g, after, err);
			goto out;
		}
	}
	g.out = NULL;
	g.paths = NULL;
	g.npaths = 0;
	/* The index's paths among them, sorted to look up. */
	for (p = lsout.data; p != NULL && p < lsout.data + lsout.len;
	    p += strlen(p) + 1)
		nidx++;
	if ((idx = calloc(nidx + 1, sizeof(*idx))) == NULL)
		goto nomem;
	for (p = lsout.data, i = 0; i < nidx; p += strlen(p) + 1)
		idx[i++] = p;
	qsort(idx, nidx, sizeof(*idx), by_str);
	for (i = 0; i < j->n; i++) {
		s = &j->e[i];
		if (s->kind != TALLY_ORGANIZE_MOVE || s->state !=
		    (enum jstate)want || (!tracked(idx, nidx, s->a) &&
		    !tracked(idx, nidx, s->b)))
			continue;
		if (tally_buf_add(&in, s->a, strlen(s->a) + 1) != TALLY_OK ||
		    tally_buf_add(&in, s->b, strlen(s->b) + 1) != TALLY_OK)
			goto nomem;
		moves++;
	}
	/*
	 * The markers go with the moves: added, or removed when undone
	 * (which leaves the index alone for one git never knew).
	 */
	for (i = 0; i < j->n && moves > 0; i++) {
		s = &j->e[i];
		if (s->kind == TALLY_ORGANIZE_MARKER && s->state ==
		    (enum jstate)want &&
		    tally_buf_add(&in, s->a, strlen(s->a) + 1) != TALLY_OK)
			goto nomem;
	}
	rc = TALLY_OK;
	if (moves == 0)
		goto out;
	g.args = upd;
	g.nargs = 5;
	g.in = &in;
	g.crash = 1;
	if ((rc = git(&g, err)) == TALLY_OK && g.status != 0)
		rc = git_failed(&g, after, err);
	goto out;
nomem:
	rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
out:
	tally_buf_free(&g.errout);
	tally_buf_free(&lsout);
	tally_buf_free(&in);
	free(paths);
	free(idx);
	return rc;
}
