// Writes the Parquet test files of swan's TaskFile tests with DuckDB (an independent Parquet writer).
import { DuckDBInstance } from '@duckdb/node-api';
const out = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`CREATE TABLE arc AS SELECT * FROM (VALUES
  ('a', 'Which is a gas?', {'text': ['ice', 'steam', 'rock'], 'label': ['A', 'B', 'C']}, 'B'),
  ('c', 'Which is hot?', {'text': ['sun', 'snow'], 'label': ['A', 'B']}, 'A'),
  ('d', 'Which is a gas?', {'text': ['ice', 'steam', 'rock'], 'label': ['A', 'B', 'C']}, 'C')
) t(id, question, choices, answerKey)`);
await c.run(`COPY arc TO '${out}/arc.parquet' (FORMAT parquet)`);
await c.run(`COPY arc TO '${out}/arc-v2.parquet' (FORMAT parquet, PARQUET_VERSION v2, ROW_GROUP_SIZE 1)`);
await c.run(`COPY arc TO '${out}/arc-zstd.parquet' (FORMAT parquet, COMPRESSION zstd)`);
await c.run(`CREATE TABLE hs AS SELECT * FROM (VALUES
  (24::BIGINT, 'Roof shingle removal', 'A man is sitting on a roof.', 'he', ['is using wrap to wrap a pair of skis.', 'is ripping level tiles off.', 'is holding a rubik''s cube.', 'starts pulling up roofing on a roof.'], '3'),
  (25::BIGINT, 'Health', '[header] How to stay calm [title] Breathe slowly.', '[step] Count TO four.', [' [substeps] Hold it  [title] for a while.  ', 'Run.'], '0')
) t(ind, activity_label, ctx_a, ctx_b, endings, label)`);
await c.run(`COPY hs TO '${out}/hellaswag.parquet' (FORMAT parquet, COMPRESSION uncompressed)`);
console.log('ok');
