/*
 * tally/merge.h: combining streams: shards are a union, reruns of the
 * same test (tally_test_key) become one record with every attempt kept,
 * exact duplicates collapse.  The result is independent of input order.
 *
 * Ownership: the merge table owns copies of everything added; records
 * returned by tally_merge_get() stay valid until tally_merge_free().
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

/* Add one record (copied). */
int	tally_merge_add(struct tally_merge *m, const struct tally_record *rec,
	    struct tally_error *err);

/* Reconcile and sort; call once after the last add. */
int	tally_merge_finish(struct tally_merge *m, struct tally_error *err);

/* The merged records in their deterministic order, after finish. */
size_t	tally_merge_count(const struct tally_merge *m);
const struct tally_record *tally_merge_get(const struct tally_merge *m,
	    size_t i);

/*
 * A sink that merges what it receives and, at end, replays the merged
 * records into next (borrowed) and calls next's end.
 */
int	tally_merge_sink_new(struct tally_sink **out, struct tally_sink *next);

/*
 * A sink that only adds what it receives to m (borrowed); its end does
 * nothing, the caller calls tally_merge_finish().
 */
int	tally_merge_input_new(struct tally_sink **out, struct tally_merge *m);

#endif /* TALLY_MERGE_H */
