// The shims are static inline in the header; this file lets SwiftPM build the target.
#include "CParrunShims.h"
