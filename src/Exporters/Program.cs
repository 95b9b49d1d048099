using Exporters.Alertmanager;
using Exporters.Elasticsearch;
using Exporters.Hosting;
using Exporters.Passthrough;
using Exporters.Redis;

// The stock distribution: the four built-in collectors. A distribution of your own is this file with other Add calls.
var builder = ExporterApplication.CreateBuilder(args);
builder.AddRedis();
builder.AddElasticsearch();
builder.AddAlertmanager();
builder.AddPassthrough();
#if PLUGINS
builder.EnablePlugins();
#endif
return await builder.RunAsync();
