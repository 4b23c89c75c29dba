#ifndef SEGD_CZEROMQ_SHIM_H
#define SEGD_CZEROMQ_SHIM_H
#include <zmq.h>
/* Swift's Glibc module leaves out eventfd(2); the poll loop's Wakeup needs it next to the sockets. */
#include <sys/eventfd.h>
#endif
