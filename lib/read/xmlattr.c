/* lib/read/xmlattr.c: the attributes of an element, for the XML readers. */
#include <libxml/xmlreader.h>

#include "internal.h"

int
tally_xml_next_attr(xmlTextReaderPtr r, const char **k, const char **v)
{
	while (xmlTextReaderMoveToNextAttribute(r) == 1) {
		*k = (const char *)xmlTextReaderConstLocalName(r);
		*v = (const char *)xmlTextReaderConstValue(r);
		if (*k != NULL && *v != NULL)
			return 1;
	}
	return 0;
}
