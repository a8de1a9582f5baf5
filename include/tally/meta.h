/*
 * tally/meta.h: stamping a run with its metadata (collect and merge).
 *
 * A run's metadata comes from the CI's own variables (GitHub Actions,
 * GitLab CI, Jenkins), from --meta KEY=VALUE and from the clock; it goes
 * into the stream as one meta record, which tally-history(1) orders runs
 * by and tally-diff(1) shows side by side.
 *
 * Ownership: tally_meta_ci() returns an array whose keys and values it
 * allocated; release it with tally_meta_items_free().  The meta sink
 * copies its items and borrows next.
 */
#ifndef TALLY_META_H
#define TALLY_META_H

#include <stddef.h>
#include <time.h>

#include <tally/record.h>
#include <tally/sink.h>

/*
 * The run's metadata: the items the CI variables give (see
 * tally-collect(1)), then extra (later items replace earlier ones of the
 * same key), then "time" as now in UTC ISO 8601 unless extra gave one
 * (SOURCE_DATE_EPOCH, when set to seconds, is taken for now).  When no CI
 * variable is set and nextra is 0, *n is 0: a run outside CI is not
 * stamped, so its stream stays the same for the same inputs.
 */
int	tally_meta_ci(struct tally_kv **out, size_t *n,
	    const struct tally_kv *extra, size_t nextra, time_t now);
void	tally_meta_items_free(struct tally_kv *items, size_t n);

/*
 * A sink that writes one meta record of items before the first record it
 * passes on (or at the end when there was none) and drops the input's
 * meta items whose keys items sets: the stamp replaces them, as --label
 * replaces labels.  With n 0 it passes everything on unchanged.
 */
int	tally_meta_sink_new(struct tally_sink **out, struct tally_sink *next,
	    const struct tally_kv *items, size_t n);
/*
 * Writes the meta record now, if not yet written (collect does so before
 * reading, so that the stamp comes first whichever thread reads a file).
 * tally_meta_sink_stamped() marks it written without writing it: a sink
 * that only drops the input's items the stamp replaces (collect -j's
 * reading threads).  s is a sink from tally_meta_sink_new().
 */
int	tally_meta_sink_stamp(struct tally_sink *s, struct tally_error *err);
void	tally_meta_sink_stamped(struct tally_sink *s);

#endif /* TALLY_META_H */
