// libxml2 and Foundation disagree on ICU's UErrorCode on a clean build: drop libxml2's ICU bits first.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

/// `xmlFree` is a mutable C global that Swift 6 rejects; call it through a function.
static inline void carina_xml_free(void *p) { xmlFree(p); }
