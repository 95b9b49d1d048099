using System.Text.Json;
using Elasticsearch.Net;
using EsProbe;

// The low-level client. By default its DynamicResponse (the response as nested dictionaries); with
// PROBE_RESPONSE=bytes the raw body (BytesResponse), parsed whole with System.Text.Json's JsonDocument.
var raw = Environment.GetEnvironmentVariable("PROBE_RESPONSE") == "bytes";
return await Probe.RunAsync(args, async (uri, target) =>
{
    var client = new ElasticLowLevelClient(new ConnectionConfiguration(uri));
    if (raw)
    {
        var bytes = target == "_all" ? await client.Indices.StatsForAllAsync<BytesResponse>() : await client.Indices.StatsAsync<BytesResponse>(target);
        if (!bytes.Success)
        {
            throw new InvalidOperationException("call failed: " + bytes.DebugInformation.Split('\n')[0], bytes.OriginalException);
        }

        using var document = JsonDocument.Parse(bytes.Body);
        long sum = 0;
        var count = 0;
        foreach (var index in document.RootElement.GetProperty("indices").EnumerateObject())
        {
            count++;
            sum += index.Value.GetProperty("primaries").GetProperty("docs").GetProperty("count").GetInt64();
        }

        return (count, sum);
    }

    var response = target == "_all" ? await client.Indices.StatsForAllAsync<DynamicResponse>() : await client.Indices.StatsAsync<DynamicResponse>(target);
    if (!response.Success)
    {
        throw new InvalidOperationException("call failed: " + response.DebugInformation.Split('\n')[0], response.OriginalException);
    }

    long docs = 0;
    var indices = response.Get<DynamicDictionary>("indices");
    foreach (var name in indices.Keys)
    {
        docs += response.Get<long>($"indices.{name}.primaries.docs.count");
    }

    return (indices.Count, docs);
});
