// Implementation of access_log.hh.
#include "http/access_log.hh"

#include <cstdio>
#include <ctime>

namespace zs::http {

AccessLog::AccessLog(io::EventLoop& loop, int fd) : loop_(loop), fd_(fd) {
  completion_.on_complete = &AccessLog::on_written;
  completion_.self = this;
}

void AccessLog::refresh_timestamp() {
  const int64_t now = loop_.unix_seconds();
  if (now == stamp_second_) return;
  stamp_second_ = now;
  time_t t = static_cast<time_t>(now);
  tm parts;
  gmtime_r(&t, &parts);
  stamp_len_ = strftime(stamp_, sizeof stamp_, "[%d/%b/%Y:%H:%M:%S +0000]", &parts);
}

void AccessLog::record(std::string_view peer_ip, std::string_view request_line, uint16_t status,
                       uint64_t bytes) {
  if (pending_.size() > kMaxPending) {
    ++dropped_;
    return;
  }
  refresh_timestamp();
  pending_.append(peer_ip);
  pending_.append(" - - ");
  pending_.append(stamp_, stamp_len_);
  pending_.append(" \"");
  constexpr size_t kMaxLine = 2048;
  size_t n = 0;
  for (char ch : request_line) {
    if (++n > kMaxLine) {
      pending_.append("...");
      break;
    }
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      pending_.append(esc, 4);
    } else {
      pending_.push_back(ch);
    }
  }
  char tail[48];
  int len = std::snprintf(tail, sizeof tail, "\" %u %llu\n", status, static_cast<unsigned long long>(bytes));
  pending_.append(tail, static_cast<size_t>(len));
}

void AccessLog::flush() {
  if (writing_) return;
  if (dropped_ != 0) {
    char note[96];
    int len = std::snprintf(note, sizeof note, "access log: %llu lines dropped (stderr too slow)\n",
                            static_cast<unsigned long long>(dropped_));
    pending_.append(note, static_cast<size_t>(len));
    dropped_ = 0;
  }
  if (pending_.empty()) return;
  inflight_.swap(pending_);
  pending_.clear();
  inflight_off_ = 0;
  writing_ = true;
  io_uring_prep_write(loop_.sqe_for(&completion_), fd_, inflight_.data(),
                      static_cast<unsigned>(inflight_.size()), static_cast<uint64_t>(-1));
}

void AccessLog::on_written(io::Completion* c, int32_t res, uint32_t) {
  AccessLog* self = static_cast<WriteCompletion*>(c)->self;
  if (res > 0 && self->inflight_off_ + static_cast<size_t>(res) < self->inflight_.size()) {
    self->inflight_off_ += static_cast<size_t>(res);  // short write: continue with the rest
    io_uring_prep_write(self->loop_.sqe_for(&self->completion_), self->fd_,
                        self->inflight_.data() + self->inflight_off_,
                        static_cast<unsigned>(self->inflight_.size() - self->inflight_off_),
                        static_cast<uint64_t>(-1));
    return;
  }
  self->writing_ = false;  // done, or stderr failed: the batch is dropped either way
  self->inflight_.clear();
}

}  // namespace zs::http
