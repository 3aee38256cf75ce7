package io.faultline.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** MIDI files in a directory tree. */
public final class DirectoryCorpus implements CorpusSource {

  private final Path root;

  public DirectoryCorpus(Path root) {
    this.root = root;
  }

  @Override
  public List<Entry> list() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("SCALE_CORPUS " + root + ": not a directory");
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> CorpusSource.isMidi(p.getFileName().toString()))
          .map(p -> new Entry(CorpusSource.songId(p.getFileName().toString()), p.toString()))
          .sorted(java.util.Comparator.comparing(Entry::location))
          .toList();
    }
  }

  @Override
  public byte[] read(Entry entry) throws IOException {
    return Files.readAllBytes(Path.of(entry.location()));
  }

  @Override
  public String describe() {
    return root.toString();
  }
}
