// SwiftPM needs one source file in a C target; the header above is the interface.
#include "CCrypto.h"
