namespace MailboxImportExport.Fts;

/// <summary>The two stream loops the envelope reader and the tokenizer both need.</summary>
internal static class StreamReading
{
    private const int ScratchSize = 81920;

    /// <summary>Reads until <paramref name="count"/> bytes or the end of the stream; returns how many were read.</summary>
    public static int ReadUpTo(this Stream stream, byte[] buffer, int offset, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = stream.Read(buffer, offset + total, count - total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <summary>
    /// Moves <paramref name="count"/> bytes ahead: by seeking where the stream can (nothing is copied), else by reading
    /// into a scratch buffer. Returns how far it got, which is less than asked only at the end of the stream.
    /// </summary>
    public static long SkipBytes(this Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            var step = Math.Min(count, stream.Length - stream.Position);
            stream.Seek(step, SeekOrigin.Current);
            return step;
        }
        var scratch = new byte[(int)Math.Min(count, ScratchSize)];
        long skipped = 0;
        while (skipped < count)
        {
            var read = stream.ReadUpTo(scratch, 0, (int)Math.Min(count - skipped, scratch.Length));
            if (read == 0) break;
            skipped += read;
        }
        return skipped;
    }
}
