/*
 * tally/sink.h: where records go.
 *
 * A sink receives records one at a time and a final end() call.  Readers,
 * the merge table and renderers are all written against this interface,
 * so a tool is a reader feeding a chain of sinks.
 *
 * Ownership: records passed to record() are borrowed (see record.h).  The
 * sink owns its own state; tally_sink_free() releases it and accepts NULL.
 */
#ifndef TALLY_SINK_H
#define TALLY_SINK_H

#include <tally/error.h>
#include <tally/record.h>

struct tally_sink {
	/* Take one record.  A non-zero status stops the producer. */
	int	(*record)(struct tally_sink *self, const struct tally_record *rec,
		    struct tally_error *err);
	/* No more records: flush whatever was kept.  May be NULL. */
	int	(*end)(struct tally_sink *self, struct tally_error *err);
	/* Release self.  May be NULL when there is nothing to release. */
	void	(*free)(struct tally_sink *self);
};

static inline int
tally_sink_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	return s->record(s, rec, err);
}

static inline int
tally_sink_end(struct tally_sink *s, struct tally_error *err)
{
	return s->end != NULL ? s->end(s, err) : 0;
}

static inline void
tally_sink_free(struct tally_sink *s)
{
	if (s != NULL && s->free != NULL)
		s->free(s);
}

/*
 * A sink that stamps every record with extra labels (collect --label) and
 * passes it on to next.  The labels array is copied; next is borrowed.
 */
int	tally_label_sink_new(struct tally_sink **out, struct tally_sink *next,
	    const struct tally_kv *labels, size_t nlabels);

#endif /* TALLY_SINK_H */
