namespace Exporters.Abstractions;

/// <summary>
/// A command-line flag (and environment variable) that sets one option of a collector's default instance, so users
/// of a single-purpose exporter keep their arguments. Setting any flag of a collector enables that collector.
/// </summary>
/// <param name="Name">The flag without leading dashes, for example <c>redis.addr</c>.</param>
/// <param name="OptionKey">The option key it sets, relative to the collector's section, for example <c>address</c>.</param>
/// <param name="EnvironmentVariable">The environment variable that sets it too, or <see langword="null"/>.</param>
/// <param name="Help">One line for <c>--help</c>.</param>
/// <param name="IsSwitch">Whether the flag is boolean: <c>--flag</c> means true and <c>--no-flag</c> false.</param>
public sealed record CollectorFlag(string Name, string OptionKey, string? EnvironmentVariable, string Help, bool IsSwitch = false);
