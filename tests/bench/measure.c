/*
 * tests/bench/measure.c: run a command, print its wall time and peak
 * resident set size.  Used by `make bench`.
 *
 *   measure LABEL CMD [ARG ...]   (stdin/stdout/stderr inherited)
 *
 * Prints "LABEL<TAB>seconds<TAB>peak-RSS-KiB<TAB>exit<TAB><TAB>cpu-seconds"
 * on fd 3 if open, else on stderr.  CPU time (user + system) is the
 * figure to compare on a busy machine, where wall time is not.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int st;
	FILE *rep;

	if (argc < 3) {
		fprintf(stderr, "usage: measure label command [argument ...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0) {
		perror("measure");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep = fcntl(3, F_GETFD) != -1 ? fdopen(3, "w") : stderr;
	fprintf(rep, "%s\t%.3f\t%ld\t%d\t\t%.3f\n", argv[1],
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	fflush(rep);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}
