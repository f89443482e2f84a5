#include "core/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/invalid_input.h"

namespace cdsim {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr std::uint64_t kMaxPayloadBytes = 4ULL << 30;  // 4 GiB: far above any IDX data set
constexpr std::uint64_t kMaxGzipRatio = 1032;  // deflate cannot compress better than ~1032:1

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw InvalidInput("/path", path + ": " + message);
}

// A byte source over a raw or gzip file; gzread reads raw files transparently.
class ByteSource {
 public:
  explicit ByteSource(const std::string& path) : path_(path) {
    std::error_code error;
    file_size_ = std::filesystem::file_size(path, error);
    if (error) fail(path, "cannot open (" + error.message() + ")");
    std::ifstream probe(path, std::ios::binary);
    std::array<unsigned char, 2> magic{};
    probe.read(reinterpret_cast<char*>(magic.data()), 2);
    compressed_ = probe.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (compressed_ && file_size_ >= 18) {
      // The gzip trailer's ISIZE: uncompressed length modulo 2^32.
      std::array<unsigned char, 4> trailer{};
      probe.seekg(static_cast<std::streamoff>(file_size_ - 4));
      probe.read(reinterpret_cast<char*>(trailer.data()), 4);
      gzip_size_mod_ = static_cast<std::uint32_t>(trailer[0]) |
                       static_cast<std::uint32_t>(trailer[1]) << 8 |
                       static_cast<std::uint32_t>(trailer[2]) << 16 |
                       static_cast<std::uint32_t>(trailer[3]) << 24;
    }
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) fail(path, "cannot open");
  }
  ~ByteSource() {
    if (file_ != nullptr) gzclose(file_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  void read(void* out, std::size_t bytes, const char* what) {
    auto* cursor = static_cast<unsigned char*>(out);
    while (bytes > 0) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(bytes, 1U << 30));
      const int got = gzread(file_, cursor, chunk);
      if (got < 0) fail(path_, std::string("corrupt compressed data while reading ") + what);
      if (got == 0) fail(path_, std::string("file is truncated: it ends inside the ") + what);
      cursor += got;
      bytes -= static_cast<std::size_t>(got);
    }
  }
  bool at_end() {
    unsigned char extra = 0;
    return gzread(file_, &extra, 1) == 0;
  }
  // Rejects a header announcing `total` bytes (header included) that the file cannot hold.
  void check_length(std::uint64_t total) const {
    if (!compressed_) {
      if (file_size_ < total)
        fail(path_, "file is truncated: header announces " + std::to_string(total) +
                        " bytes, file has " + std::to_string(file_size_));
      if (file_size_ > total)
        fail(path_, "file has " + std::to_string(file_size_ - total) +
                        " bytes more than its header announces");
      return;
    }
    if (total > file_size_ * kMaxGzipRatio + 1024)
      fail(path_, "header announces " + std::to_string(total) + " bytes, more than a " +
                      std::to_string(file_size_) + "-byte gzip file can hold");
    if (file_size_ >= 18 && static_cast<std::uint32_t>(total) != gzip_size_mod_)
      fail(path_, "header announces " + std::to_string(total) +
                      " bytes but the gzip stream holds " + std::to_string(gzip_size_mod_) +
                      " (mod 2^32): the file is truncated or corrupt");
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  std::uintmax_t file_size_ = 0;
  bool compressed_ = false;
  std::uint32_t gzip_size_mod_ = 0;
};

struct Header {
  std::vector<std::uint32_t> dims;
  std::uint64_t payload_bytes = 1;
};

Header read_header(ByteSource& source, const std::string& path) {
  std::array<std::uint8_t, 4> magic{};
  source.read(magic.data(), 4, "magic number");
  if (magic[0] != 0 || magic[1] != 0)
    fail(path, "not an IDX file (magic number must start with two zero bytes)");
  if (magic[2] != kUnsignedByte)
    fail(path, "IDX element type code " + std::to_string(magic[2]) +
                   " is not supported; expected 8 (unsigned byte)");
  if (magic[3] == 0 || magic[3] > 4)
    fail(path, "IDX file has " + std::to_string(magic[3]) + " dimensions; expected 1 to 4");
  Header header;
  for (int i = 0; i < magic[3]; ++i) {
    std::array<std::uint8_t, 4> bytes{};
    source.read(bytes.data(), 4, "dimension sizes");
    const std::uint32_t dim =
        static_cast<std::uint32_t>(bytes[0]) << 24 | static_cast<std::uint32_t>(bytes[1]) << 16 |
        static_cast<std::uint32_t>(bytes[2]) << 8 | static_cast<std::uint32_t>(bytes[3]);
    header.dims.push_back(dim);
    header.payload_bytes *= dim;  // at most 4 factors < 2^32 each: checked before it can overflow
    if (header.payload_bytes > kMaxPayloadBytes)
      fail(path, "IDX header announces more than 4 GiB of data; the file is corrupt");
  }
  return header;
}

}  // namespace

std::vector<std::uint32_t> read_idx_dims(const std::string& path) {
  ByteSource source(path);
  Header header = read_header(source, path);
  source.check_length(4 + 4 * header.dims.size() + header.payload_bytes);
  return header.dims;
}

IdxArray read_idx(const std::string& path, std::size_t max_items) {
  ByteSource source(path);
  Header header = read_header(source, path);
  source.check_length(4 + 4 * header.dims.size() + header.payload_bytes);
  IdxArray array;
  array.dims = std::move(header.dims);
  const std::uint32_t items = array.dims[0];
  const bool partial = max_items > 0 && max_items < items;
  std::uint64_t bytes = header.payload_bytes;
  if (partial) {
    // Only the first max_items items: the stream is read that far and no further.
    bytes = items == 0 ? 0 : header.payload_bytes / items * max_items;
    array.dims[0] = static_cast<std::uint32_t>(max_items);
  }
  array.data.resize(bytes);
  source.read(array.data.data(), array.data.size(), "data");
  if (!partial && !source.at_end()) fail(path, "file has more data than its header announces");
  return array;
}

void write_idx(const std::string& path, const IdxArray& array) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  const std::array<char, 4> magic = {0, 0, static_cast<char>(kUnsignedByte),
                                     static_cast<char>(array.dims.size())};
  out.write(magic.data(), 4);
  for (std::uint32_t dim : array.dims) {
    const std::array<char, 4> bytes = {static_cast<char>(dim >> 24), static_cast<char>(dim >> 16),
                                       static_cast<char>(dim >> 8), static_cast<char>(dim)};
    out.write(bytes.data(), 4);
  }
  out.write(reinterpret_cast<const char*>(array.data.data()),
            static_cast<std::streamsize>(array.data.size()));
  if (!out) throw std::runtime_error("error writing " + path);
}

namespace {

// The image and label files must agree: 3 and 1 dimensions, one label per image.
void check_pair(const std::string& images_path, const std::vector<std::uint32_t>& image_dims,
                const std::string& labels_path, const std::vector<std::uint32_t>& label_dims) {
  if (image_dims.size() != 3)
    fail(images_path, "image file must have 3 dimensions (count, rows, columns)");
  if (label_dims.size() != 1) fail(labels_path, "label file must have 1 dimension (count)");
  if (image_dims[0] != label_dims[0])
    fail(labels_path, "has " + std::to_string(label_dims[0]) + " labels but " + images_path +
                          " has " + std::to_string(image_dims[0]) + " images");
  if (image_dims[0] == 0) fail(images_path, "holds no images; expected at least 1");
}

}  // namespace

IdxPairShape check_idx_pair(const std::string& images_path, const std::string& labels_path,
                            std::size_t max_items) {
  const std::vector<std::uint32_t> image_dims = read_idx_dims(images_path);
  const IdxArray labels = read_idx(labels_path, max_items);
  std::vector<std::uint32_t> label_dims = read_idx_dims(labels_path);
  check_pair(images_path, image_dims, labels_path, label_dims);
  IdxPairShape shape;
  shape.samples = labels.dims[0];
  shape.rows = image_dims[1];
  shape.columns = image_dims[2];
  shape.max_label = labels.data.empty() ? 0 : *std::max_element(labels.data.begin(), labels.data.end());
  return shape;
}

Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, bool normalize, std::size_t max_items) {
  check_pair(images_path, read_idx_dims(images_path), labels_path, read_idx_dims(labels_path));
  const IdxArray images = read_idx(images_path, max_items);
  const IdxArray labels = read_idx(labels_path, max_items);
  const std::size_t n = images.dims[0];
  const std::size_t d = static_cast<std::size_t>(images.dims[1]) * images.dims[2];
  Dataset data;
  data.name = name;
  data.sample_shape = {1, static_cast<int>(images.dims[1]), static_cast<int>(images.dims[2])};
  data.features.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  const float scale = normalize ? 1.0f / 255.0f : 1.0f;
  float* out = data.features.data();
  for (std::size_t i = 0; i < n * d; ++i) out[i] = static_cast<float>(images.data[i]) * scale;
  data.labels.assign(labels.data.begin(), labels.data.end());
  const std::uint8_t max_label =
      labels.data.empty() ? 0 : *std::max_element(labels.data.begin(), labels.data.end());
  data.num_classes = static_cast<int>(max_label) + 1;
  return data;
}

std::string find_idx_file(const std::string& directory, const std::string& suffix) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    throw InvalidInput("/path", directory + ": not a directory (expected one holding IDX files)");
  std::vector<std::string> matches;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string file = entry.path().filename().string();
    for (const std::string& ending : {suffix, suffix + ".gz"})
      if (file.size() >= ending.size() &&
          file.compare(file.size() - ending.size(), ending.size(), ending) == 0)
        matches.push_back(entry.path().string());
  }
  if (matches.empty())
    throw InvalidInput("/path", directory + ": no file named *" + suffix + "[.gz]");
  if (matches.size() > 1) {
    std::sort(matches.begin(), matches.end());
    throw InvalidInput("/path", directory + ": several files match *" + suffix + "[.gz] (" +
                                    matches[0] + ", " + matches[1] + "); keep one");
  }
  return matches.front();
}

IdxDirectory find_idx_directory(const std::string& directory) {
  IdxDirectory files;
  files.train_images = find_idx_file(directory, "train-images-idx3-ubyte");
  files.train_labels = find_idx_file(directory, "train-labels-idx1-ubyte");
  // MNIST and Fashion-MNIST call the test set t10k, EMNIST calls it test.
  try {
    files.test_images = find_idx_file(directory, "t10k-images-idx3-ubyte");
    files.test_labels = find_idx_file(directory, "t10k-labels-idx1-ubyte");
  } catch (const InvalidInput&) {
    files.test_images = find_idx_file(directory, "test-images-idx3-ubyte");
    files.test_labels = find_idx_file(directory, "test-labels-idx1-ubyte");
  }
  return files;
}

TrainTestData load_idx_directory(const std::string& directory, const std::string& name,
                                 bool normalize, std::size_t max_train, std::size_t max_test) {
  const IdxDirectory files = find_idx_directory(directory);
  TrainTestData data;
  data.train = read_idx_dataset(files.train_images, files.train_labels, name + "/train", normalize, max_train);
  data.test = read_idx_dataset(files.test_images, files.test_labels, name + "/test", normalize, max_test);
  data.source_files = {files.train_images, files.train_labels, files.test_images, files.test_labels};
  if (data.train.sample_shape != data.test.sample_shape)
    throw InvalidInput("/path", directory + ": train and test images have different sizes");
  data.train.num_classes = data.test.num_classes =
      std::max(data.train.num_classes, data.test.num_classes);
  return data;
}

}  // namespace cdsim
