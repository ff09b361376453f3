using System.Text.Json.Nodes;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>Deep merge as the baseline's <c>jq -s '.[0] * .[1]'</c>: objects merge key by key, anything else is replaced by the overlay.</summary>
internal static class JsonMerge
{
    /// <summary>Returns a new object; neither input is changed.</summary>
    public static JsonObject Merge(JsonObject baseObject, JsonObject overlay)
    {
        var result = (JsonObject)baseObject.DeepClone();
        MergeInto(result, overlay);
        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is JsonObject overlayChild && target[key] is JsonObject targetChild)
            {
                MergeInto(targetChild, overlayChild);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
