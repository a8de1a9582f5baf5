/*
 * lib/read/jobs.h: between the directory walk (read.c) and the threads
 * that read its files (jobs.c).  Private to libtally.
 */
#ifndef TALLY_READ_JOBS_H
#define TALLY_READ_JOBS_H

#ifndef TALLY_BUILDING_LIB
#error "lib/read/jobs.h is private to libtally"
#endif

#include <tally/reader.h>

/*
 * Read one input as the walk does (read.c): reader warnings go to report;
 * with skip, a file that is plainly not a result sets *skip instead.
 */
int	 tally_read_input(int fd, const char *name, enum tally_format fmt,
	    struct tally_sink *sink, struct tally_error *err,
	    void (*report)(void *, int, const struct tally_error *),
	    void *arg, int *skip);

/*
 * Hand a file over to a thread (fd closed there when close_fd); returns
 * at once, TALLY_OK or the status that stops the walk.
 */
int	 tally_jobs_file(struct tally_jobs *j, int fd, int close_fd,
	    const char *path, enum tally_format fmt, int explicit);
/* Around a directory operand: its "no result files" warning, when warn
 * and no file below it was read. */
int	 tally_jobs_dir_begin(struct tally_jobs *j);
int	 tally_jobs_dir_end(struct tally_jobs *j, const char *path, int warn);
/* libxml2's process-wide set-up (read_junit.c), before threads start. */
void	 tally_xml_init(void);

/* Where the walk's own records and diagnostics go. */
struct tally_sink *tally_jobs_walk_sink(struct tally_jobs *j);
void	 tally_jobs_walk_report(void *arg, int status,
	    const struct tally_error *err);

#endif /* TALLY_READ_JOBS_H */
