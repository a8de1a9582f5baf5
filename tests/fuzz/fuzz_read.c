/*
 * tests/fuzz/fuzz_read.c: libFuzzer target for every reader.  The input
 * goes through format detection exactly as `tally collect` sees a file,
 * into a sink that formats each record as a stream line (so every string
 * a reader hands out is read).  Built and run by `make fuzz`.
 *
 * With FUZZ_FORMAT set to a --format name ("trx", "jmeter", ...) every
 * input goes to that reader, as with `tally collect -f NAME`, so a long
 * run spends its time in one reader rather than in detection
 * (tests/fuzz/long.sh).
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <tally/reader.h>

#include "internal.h"

static int
fuzz_record(struct tally_sink *s, const struct tally_record *r,
    struct tally_error *err)
{
	struct tally_buf b;

	(void)s;
	(void)err;
	tally_buf_init(&b);
	tally_stream_format(&b, r);
	tally_buf_free(&b);
	return TALLY_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum tally_format fuzz_fmt = TALLY_FMT_AUTO;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *name;

	(void)argc;
	(void)argv;
	if ((name = getenv("FUZZ_FORMAT")) != NULL && *name != '\0' &&
	    tally_format_parse(name, &fuzz_fmt) != 0) {
		fprintf(stderr, "fuzz_read: FUZZ_FORMAT: unknown format %s\n",
		    name);
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally_sink sink = { fuzz_record, NULL, NULL };
	struct tally_error err;
	int fd;

	if ((fd = memfd_create("fuzz", 0)) < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    lseek(fd, 0, SEEK_SET) == 0)
		(void)tally_read_fd(fd, "fuzz", fuzz_fmt, &sink, &err);
	close(fd);
	return 0;
}
