/*
 * tally/merge.h: combining streams: shards are a union, reruns of the
 * same test (tally_test_key) become one record with every attempt kept,
 * exact duplicates collapse.  The result is independent of input order
 * and comes out in the canonical order of tally-stream(5).
 *
 * Memory is bounded, sort(1)'s way: records are merged in a table until
 * it holds about the run size (4 MiB unless set), then the table is
 * written in canonical order to a spill file and emptied; at the end the
 * runs are merged.  Input already in canonical order (a merged stream)
 * needs no table at all.  The spill file lives in the temporary
 * directory ($TMPDIR, else /tmp, unless set) and is unlinked as soon as
 * it is made, so no exit leaves it behind.
 *
 * Ownership: the merge owns copies of everything added.  A record from
 * tally_merge_next() is borrowed: valid until the next call, the next
 * tally_merge_rewind() or tally_merge_free(), whichever comes first.
 */
#ifndef TALLY_MERGE_H
#define TALLY_MERGE_H

#include <stddef.h>

#include <tally/error.h>
#include <tally/record.h>
#include <tally/sink.h>

struct tally_merge;

int	tally_merge_new(struct tally_merge **out);
void	tally_merge_free(struct tally_merge *m);

/* Where spill files go (copied); NULL: $TMPDIR, else /tmp. */
int	tally_merge_set_tmpdir(struct tally_merge *m, const char *dir);
/*
 * Warnings while merging (err->message set, status TALLY_OK): a test
 * that passed in one source and failed in another with no label to tell
 * them apart (an unlabelled matrix).  fn may be NULL: no warnings.
 */
typedef void (*tally_merge_warn_fn)(void *arg, const struct tally_error *w);
void	tally_merge_set_warn(struct tally_merge *m, tally_merge_warn_fn fn,
	    void *arg);

/* Spill the table past about this many bytes; 0: the default. */
void	tally_merge_set_run_bytes(struct tally_merge *m, size_t bytes);

/*
 * fn sees each test record m keeps while its input is in canonical
 * order (a merged stream), as it comes and as tally_merge_next() will
 * give it.  After the finish, tally_merge_watched() is nonzero when that
 * held to the end: fn saw every test m has, once each, in m's order,
 * and a first pass over them need not be made again.  Set before the
 * first add.
 */
typedef void (*tally_merge_watch_fn)(void *arg,
    const struct tally_record *test);
void	tally_merge_set_watch(struct tally_merge *m, tally_merge_watch_fn fn,
	    void *arg);
int	tally_merge_watched(const struct tally_merge *m);
/*
 * For a pass that needs only some tests: tally_merge_next() passes over
 * the others without decoding them, until set to 0.  With
 * TALLY_MERGE_SKIP_ALL, every test (a pass that has what it needs of the
 * tests already: they were watched); with TALLY_MERGE_SKIP_FINE, those
 * neither failed nor flaky.  Set it after tally_merge_rewind(), before
 * the pass's first record.  A merge of several runs gives every test
 * anyway (the first pass over it, which copies the result).
 */
#define TALLY_MERGE_SKIP_ALL	1
#define TALLY_MERGE_SKIP_FINE	2
void	tally_merge_skip_tests(struct tally_merge *m, int which);

/* Add one record (copied).  Spilling can fail with TALLY_EIO. */
int	tally_merge_add(struct tally_merge *m, const struct tally_record *rec,
	    struct tally_error *err);

/* Nonzero once a spill file could not be made or written: every later
 * add and the finish fail with TALLY_EIO, so readers may stop. */
int	tally_merge_broken(const struct tally_merge *m);

/* Reconcile; call once after the last add. */
int	tally_merge_finish(struct tally_merge *m, struct tally_error *err);

/*
 * The merged records in canonical order, after finish, one per call:
 * 1 with *out set, 0 after the last, or a status with err filled.
 * tally_merge_rewind() starts again from the first.
 */
int	tally_merge_next(struct tally_merge *m, const struct tally_record **out,
	    struct tally_error *err);
void	tally_merge_rewind(struct tally_merge *m);

/*
 * Compare two test records from tally_merge_next() (labels canonical) in
 * canonical order: <0, 0 (the same test) or >0.
 */
int	tally_merge_test_cmp(const struct tally_record *a,
	    const struct tally_record *b);

/*
 * A sink that merges what it receives and, at end, replays the merged
 * records into next (borrowed) and calls next's end.
 */
int	tally_merge_sink_new(struct tally_sink **out, struct tally_sink *next);
/* The merge behind a sink from tally_merge_sink_new(), to set options. */
struct tally_merge *tally_merge_sink_table(struct tally_sink *s);

/*
 * A sink that only adds what it receives to m (borrowed); its end does
 * nothing, the caller calls tally_merge_finish().
 */
int	tally_merge_input_new(struct tally_sink **out, struct tally_merge *m);

#endif /* TALLY_MERGE_H */
