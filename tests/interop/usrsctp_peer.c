/*
 * An independent SCTP peer for rserpool-ng's interop test (tests/interop/usrsctp_test.ts): the
 * userland SCTP stack usrsctp (Debian's libusrsctp-dev), over UDP encapsulation (RFC 6951),
 * with a one-to-one socket. It knows nothing of ASAP: it sends the messages listed in a file and
 * prints every message it receives as hex, so the test (TypeScript, with rserpool-ng's codec)
 * builds and checks the ASAP side.
 *
 *   usrsctp_peer client <local_udp> <remote_ip> <remote_udp> <remote_sctp> <messages> <expect>
 *     Connects, sends every message of the file, prints the replies until <expect> arrived,
 *     then closes gracefully (SHUTDOWN).
 *   usrsctp_peer server <local_udp> <sctp_port> <messages>
 *     Accepts one association; answers each message received with the next message of the file;
 *     exits when the peer closes the association.
 *
 * Message file: one message per line, "<ppid> <stream> <hex bytes>".
 * Output lines: "ready", "connected", "accepted", "recv <ppid> <stream> <hex>", "closed",
 * "error <text>". Exit status 0 on success.
 *
 * Build: gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -O2 -o usrsctp_peer usrsctp_peer.c \
 *          $(pkg-config --cflags --libs usrsctp) -lpthread
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <usrsctp.h>

#define MAX_MESSAGES 1024
#define MAX_MESSAGE (1 << 17)

struct message {
  uint32_t ppid;
  uint16_t stream;
  size_t length;
  unsigned char *bytes;
};

static struct message messages[MAX_MESSAGES];
static size_t message_count;

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads "<ppid> <stream> <hex>" lines. Returns 0 on success. */
static int load_messages(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    printf("error cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  static char line[2 * MAX_MESSAGE + 64];
  while (fgets(line, sizeof line, f) != NULL && message_count < MAX_MESSAGES) {
    unsigned long ppid, stream;
    char *rest;
    ppid = strtoul(line, &rest, 10);
    stream = strtoul(rest, &rest, 10);
    while (*rest == ' ') rest++;
    size_t hexlen = strcspn(rest, "\r\n");
    if (hexlen == 0 || hexlen % 2 != 0) continue;
    struct message *m = &messages[message_count++];
    m->ppid = (uint32_t)ppid;
    m->stream = (uint16_t)stream;
    m->length = hexlen / 2;
    m->bytes = malloc(m->length);
    for (size_t i = 0; i < m->length; i++) {
      int hi = hexval(rest[2 * i]), lo = hexval(rest[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        printf("error bad hex in %s\n", path);
        fclose(f);
        return -1;
      }
      m->bytes[i] = (unsigned char)(hi << 4 | lo);
    }
  }
  fclose(f);
  return 0;
}

static int send_message(struct socket *s, const struct message *m) {
  struct sctp_sndinfo info;
  memset(&info, 0, sizeof info);
  info.snd_sid = m->stream;
  info.snd_ppid = htonl(m->ppid); /* network byte order, as in the kernel API */
  if (usrsctp_sendv(s, m->bytes, m->length, NULL, 0, &info, sizeof info, SCTP_SENDV_SNDINFO, 0) < 0) {
    printf("error usrsctp_sendv: %s\n", strerror(errno));
    return -1;
  }
  return 0;
}

/*
 * Receives one whole message (usrsctp may deliver a large one in pieces until MSG_EOR) and
 * prints it. Returns 1 for a message, 0 when the association ended, -1 on error.
 */
static int receive_message(struct socket *s) {
  static unsigned char buffer[MAX_MESSAGE];
  size_t total = 0;
  struct sctp_rcvinfo first;
  memset(&first, 0, sizeof first);
  for (;;) {
    struct sctp_rcvinfo info;
    struct sockaddr_storage from;
    socklen_t fromlen = sizeof from, infolen = sizeof info;
    unsigned int infotype = 0;
    int flags = 0;
    if (total == sizeof buffer) {
      printf("error message larger than %zu bytes\n", sizeof buffer);
      return -1;
    }
    ssize_t n = usrsctp_recvv(s, buffer + total, sizeof buffer - total, (struct sockaddr *)&from, &fromlen,
                              &info, &infolen, &infotype, &flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET || errno == ENOTCONN) return 0;
      printf("error usrsctp_recvv: %s\n", strerror(errno));
      return -1;
    }
    if (n == 0) return 0;
    if (flags & MSG_NOTIFICATION) continue; /* none subscribed; ignore if any */
    if (total == 0 && infotype == SCTP_RECVV_RCVINFO) first = info;
    total += (size_t)n;
    if (flags & MSG_EOR) break;
  }
  printf("recv %u %u ", ntohl(first.rcv_ppid), first.rcv_sid);
  for (size_t i = 0; i < total; i++) printf("%02x", buffer[i]);
  printf("\n");
  fflush(stdout);
  return 1;
}

static void start(uint16_t udp_port) {
  usrsctp_init(udp_port, NULL, NULL);
  usrsctp_sysctl_set_sctp_blackhole(2); /* no ABORTs for stray packets of other tests */
}

static void stop(void) {
  for (int i = 0; i < 100 && usrsctp_finish() != 0; i++) usleep(100000);
}

static struct socket *make_socket(void) {
  struct socket *s = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  if (s == NULL) {
    printf("error usrsctp_socket: %s\n", strerror(errno));
    return NULL;
  }
  int on = 1;
  if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on) < 0) {
    printf("error SCTP_RECVRCVINFO: %s\n", strerror(errno));
    return NULL;
  }
  return s;
}

static int run_client(uint16_t local_udp, const char *ip, uint16_t remote_udp, uint16_t remote_sctp,
                      long expect) {
  start(local_udp);
  struct socket *s = make_socket();
  if (s == NULL) return 1;
  struct sctp_udpencaps encaps;
  memset(&encaps, 0, sizeof encaps);
  encaps.sue_address.ss_family = AF_INET;
  encaps.sue_port = htons(remote_udp);
  if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &encaps, sizeof encaps) < 0) {
    printf("error SCTP_REMOTE_UDP_ENCAPS_PORT: %s\n", strerror(errno));
    return 1;
  }
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(remote_sctp);
  if (inet_pton(AF_INET, ip, &to.sin_addr) != 1) {
    printf("error bad address %s\n", ip);
    return 1;
  }
  if (usrsctp_connect(s, (struct sockaddr *)&to, sizeof to) < 0) {
    printf("error usrsctp_connect: %s\n", strerror(errno));
    return 1;
  }
  printf("connected\n");
  fflush(stdout);
  for (size_t i = 0; i < message_count; i++) {
    if (send_message(s, &messages[i]) < 0) return 1;
  }
  long received = 0;
  while (received < expect) {
    int r = receive_message(s);
    if (r <= 0) break;
    received++;
  }
  usrsctp_close(s); /* graceful: SHUTDOWN */
  usleep(300000);
  printf("closed\n");
  stop();
  return received == expect ? 0 : 2;
}

static int run_server(uint16_t local_udp, uint16_t sctp_port) {
  start(local_udp);
  struct socket *listener = make_socket();
  if (listener == NULL) return 1;
  struct sockaddr_in at;
  memset(&at, 0, sizeof at);
  at.sin_family = AF_INET;
  at.sin_port = htons(sctp_port);
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (usrsctp_bind(listener, (struct sockaddr *)&at, sizeof at) < 0 || usrsctp_listen(listener, 1) < 0) {
    printf("error usrsctp_bind/listen: %s\n", strerror(errno));
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  struct socket *s = usrsctp_accept(listener, NULL, NULL);
  if (s == NULL) {
    printf("error usrsctp_accept: %s\n", strerror(errno));
    return 1;
  }
  printf("accepted\n");
  fflush(stdout);
  size_t next = 0;
  int status = 0;
  for (;;) {
    int r = receive_message(s);
    if (r < 0) status = 1;
    if (r <= 0) break;
    if (next < message_count && send_message(s, &messages[next++]) < 0) {
      status = 1;
      break;
    }
  }
  usrsctp_close(s);
  usrsctp_close(listener);
  usleep(300000);
  printf("closed\n");
  fflush(stdout);
  stop();
  return status;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 8 && strcmp(argv[1], "client") == 0) {
    if (load_messages(argv[6]) < 0) return 1;
    return run_client((uint16_t)atoi(argv[2]), argv[3], (uint16_t)atoi(argv[4]), (uint16_t)atoi(argv[5]),
                      atol(argv[7]));
  }
  if (argc == 5 && strcmp(argv[1], "server") == 0) {
    if (load_messages(argv[4]) < 0) return 1;
    return run_server((uint16_t)atoi(argv[2]), (uint16_t)atoi(argv[3]));
  }
  fprintf(stderr,
          "usage: %s client <local_udp> <remote_ip> <remote_udp> <remote_sctp> <messages> <expect>\n"
          "       %s server <local_udp> <sctp_port> <messages>\n",
          argv[0], argv[0]);
  return 64;
}
