/* Checks statements (a JSON list on stdin) with @learninglocker/xapi-validation; prints {id: [problems]}. */
const validate = require("@learninglocker/xapi-validation").default;
let input = "";
process.stdin.on("data", d => { input += d; });
process.stdin.on("end", () => {
  const out = {};
  JSON.parse(input).forEach((st, i) => {
    const problems = validate(st).map(w => `${(w.path || []).join(".")}: ${w.message} (${w.typeName || w.name}) ${JSON.stringify(w.data)}`);
    if (problems.length) out[st.id || "#" + i] = problems;
  });
  process.stdout.write(JSON.stringify(out));
});
