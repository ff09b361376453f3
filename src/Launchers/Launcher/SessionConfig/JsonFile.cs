using System.Text.Json;
using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// Reads and writes the agents' JSON files as <see cref="JsonNode"/> trees, so keys we do not know survive
/// every edit, and no reflection-based serializer is needed under NativeAOT.
/// </summary>
internal static class JsonFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 2 };

    // A duplicate key is refused: which of the two was meant cannot be known, and a JsonObject built from
    // such a document throws later, far from the file that caused it.
    private static readonly JsonDocumentOptions Lenient = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        AllowDuplicateProperties = false,
    };

    /// <summary>The file's top-level object, or null when the file does not exist.</summary>
    /// <param name="what">Names the file in the error, e.g. "invalid Claude profile settings".</param>
    /// <exception cref="SessionConfigException">The file is not valid JSON, not an object, or unreadable.</exception>
    public static JsonObject? ReadObject(string path, string what)
    {
        string text;
        try
        {
            text = BoundedFile.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new SessionConfigException(what, path, e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SessionConfigException(what, path, e.Message, e);
        }

        return ParseObject(text, path, what);
    }

    public static JsonObject ParseObject(string text, string path, string what)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: Lenient);
        }
        catch (JsonException e) when (IsWellFormed(text))
        {
            throw new SessionConfigException(what, path, "duplicate key in a JSON object", e);
        }
        catch (JsonException e)
        {
            // The position is enough to find the mistake; the message never quotes file content.
            throw new SessionConfigException(what, path, $"line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: not valid JSON", e);
        }

        return node as JsonObject ?? throw new SessionConfigException(what, path, "the top level is not a JSON object");
    }

    /// <summary>True when only the duplicate-key rule refused the text (the reader does not check keys).</summary>
    private static bool IsWellFormed(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text),
            new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Replaces a session home's file atomically (0600) with the indented tree and a final newline; not fsync'd (see <see cref="SessionFiles"/>).</summary>
    public static void Write(string path, JsonNode node) =>
        AtomicFile.WriteAllText(path, node.ToJsonString(Indented) + "\n", durable: false);
}
