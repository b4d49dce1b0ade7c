// The op handler table: every TF op the converter knows, from one file per op family. An op missing
// here fails the conversion with an UnsupportedOpError naming the op and the node.
import type { OpTable } from '../context.js';
import { activationOps } from './activation.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { matmulOps } from './matmul.js';
import { padOps } from './pad.js';
import { poolOps } from './pool.js';
import { reduceOps } from './reduce.js';
import { resizeOps } from './resize.js';
import { shapeOps } from './shape.js';
import { sliceOps } from './slice.js';
import { sourceOps } from './source.js';

export const OP_FAMILIES: Record<string, OpTable> = {
  source: sourceOps,
  conv: convOps,
  matmul: matmulOps,
  pool: poolOps,
  pad: padOps,
  shape: shapeOps,
  slice: sliceOps,
  reduce: reduceOps,
  resize: resizeOps,
  activation: activationOps,
  elementwise: elementwiseOps,
};

function merge(families: Record<string, OpTable>): OpTable {
  const all: OpTable = {};
  const owner = new Map<string, string>();
  for (const [family, table] of Object.entries(families))
    for (const [op, handler] of Object.entries(table)) {
      if (owner.has(op)) throw new Error(`TF op ${op} has handlers in both ${owner.get(op)} and ${family}`);
      owner.set(op, family);
      all[op] = handler;
    }
  return all;
}

export const OP_HANDLERS: OpTable = merge(OP_FAMILIES);
