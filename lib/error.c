/* lib/error.c: status codes and error details. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <tally/error.h>

const char *
tally_strerror(int status)
{
	switch (status) {
	case TALLY_OK:		return "success";
	case TALLY_ENOMEM:	return "out of memory";
	case TALLY_EIO:		return "input/output error";
	case TALLY_EPARSE:	return "malformed input";
	case TALLY_EINVAL:	return "invalid argument";
	case TALLY_ELIMIT:	return "limit exceeded";
	case TALLY_ESTOP:	return "stopped";
	default:		return "unknown error";
	}
}

void
tally_error_init(struct tally_error *err, const char *file)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	if (file != NULL)
		snprintf(err->file, sizeof(err->file), "%s", file);
}

int
tally_error_set(struct tally_error *err, int status, long line, long column,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}
