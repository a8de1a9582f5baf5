/*
 * tests/fuzz/fuzz_render.c: libFuzzer target for merge and every
 * renderer.  The input is read as a record stream, as `tally render`
 * reads it, merged, built into a report with every gate and a label
 * breakdown, and written in each format to /dev/null: once with the
 * tests kept in the report, once streamed as `tally render` streams them
 * (stream_tests: renderers walk them with tally_report_next_test() from
 * the merge, which spills runs of a few KiB to a temporary file and
 * merges them back).
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <tally/merge.h>
#include <tally/reader.h>
#include <tally/report.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run bytes small enough that a fuzz input spills and merges runs. */
#define FUZZ_RUN_BYTES	4096

static void
render_all(const uint8_t *data, size_t size, int fd, int streamed,
    FILE *devnull)
{
	struct tally_report_opts ro = { ~0u, 90, NULL, 0, 0, streamed };
	struct tally_render_opts opts = { 0 };
	struct tally_merge *m = NULL;
	struct tally_report *rep = NULL;
	struct tally_sink *in = NULL;
	struct tally_error err;
	const struct tally_record *rec;
	tally_render_fn render;
	size_t i, pos;

	if (lseek(fd, 0, SEEK_SET) != 0 || tally_merge_new(&m) != TALLY_OK ||
	    tally_merge_input_new(&in, m) != TALLY_OK)
		goto out;
	if (streamed)
		tally_merge_set_run_bytes(m, FUZZ_RUN_BYTES);
	(void)tally_read_fd(fd, "fuzz", TALLY_FMT_STREAM, in, &err);
	tally_sink_free(in);
	in = NULL;
	if (tally_merge_finish(m, &err) != TALLY_OK)
		goto out;
	tally_error_init(&err, NULL);
	/* The report owns m from here on. */
	if (tally_report_build(&rep, m, &ro, &err) != TALLY_OK) {
		m = NULL;
		goto out;
	}
	m = NULL;
	opts.color = size > 0 && (data[0] & 1);
	opts.max_bytes = size > 0 && (data[0] & 2) ? 2048 : 0;
	opts.max_annotations = size > 0 && (data[0] & 4) ? 3 : 0;
	opts.top = size > 0 && (data[0] & 8) ? 2 : 0;
	opts.group_by = size > 0 && (data[0] & 16) ? "os" : NULL;
	for (i = 0; tally_renderer_name(i) != NULL; i++) {
		if (streamed && !tally_renderer_streams(tally_renderer_name(i)))
			continue;
		render = tally_renderer(tally_renderer_name(i));
		tally_error_init(&err, NULL);
		(void)render(rep, &opts, devnull, &err);
		clearerr(devnull);
	}
	/* The walk itself, to its end, twice (each renderer starts again). */
	for (i = 0; streamed && i < 2; i++)
		for (pos = 0; tally_report_next_test(rep, &pos, &rec,
		    &err) == 1; )
			continue;
out:
	tally_report_free(rep);
	tally_sink_free(in);
	tally_merge_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	int fd;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	if ((fd = memfd_create("fuzz", 0)) < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		render_all(data, size, fd, 0, devnull);
		render_all(data, size, fd, 1, devnull);
	}
	close(fd);
	return 0;
}
