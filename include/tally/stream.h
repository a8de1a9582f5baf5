/*
 * tally/stream.h: the record stream, tally's JSON Lines interchange format
 * (see tally-stream(5)).  Reading it is tally_read_fd() with
 * TALLY_FMT_STREAM.
 *
 * Ownership: the writer sink borrows fp and never closes it; free the sink
 * with tally_sink_free().
 */
#ifndef TALLY_STREAM_H
#define TALLY_STREAM_H

#include <stdio.h>

#include <tally/sink.h>

/* A sink that writes each record as one line of JSON to fp. */
int	tally_stream_writer_new(struct tally_sink **out, FILE *fp);

#endif /* TALLY_STREAM_H */
