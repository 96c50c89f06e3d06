// ua-parser-js 1.x ships no types; approute only calls it as a function returning the parse result.
declare module "ua-parser-js" {
  const parse: (ua?: string) => {
    ua: string;
    browser: { name?: string; version?: string; major?: string };
    device: { model?: string; type?: string; vendor?: string };
    engine: { name?: string; version?: string };
    os: { name?: string; version?: string };
    cpu: { architecture?: string };
  };
  export default parse;
}
