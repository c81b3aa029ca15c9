import { onnx } from 'onnx-proto';

type Dim = number | string;
const DT = onnx.TensorProto.DataType;

/** ONNX element types by OIP datatype name. */
export const ONNX_TYPES = {
  BOOL: DT.BOOL,
  UINT8: DT.UINT8,
  UINT16: DT.UINT16,
  UINT32: DT.UINT32,
  UINT64: DT.UINT64,
  INT8: DT.INT8,
  INT16: DT.INT16,
  INT32: DT.INT32,
  INT64: DT.INT64,
  FP16: DT.FLOAT16,
  FP32: DT.FLOAT,
  FP64: DT.DOUBLE,
  BYTES: DT.STRING,
} as const;

function valueInfo(name: string, elemType: number, shape: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeModel(graph: onnx.IGraphProto, opset = 13): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'aic-inference-tests',
    opsetImport: [{ domain: '', version: opset }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * y = sigmoid(x · W + b) with x: FP32 [batch, inFeatures]. W is row-major [inFeatures, outFeatures].
 * `batchDim` fixes the first dimension instead of leaving it dynamic.
 */
export function buildDenseSigmoidModel(weights: number[][], bias: number[], batchDim: Dim = 'batch'): Uint8Array {
  const inF = weights.length;
  const outF = bias.length;
  return encodeModel({
    name: 'dense_sigmoid',
    node: [
      { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
      { opType: 'Add', input: ['xw', 'b'], output: ['z'] },
      { opType: 'Sigmoid', input: ['z'], output: ['y'] },
    ],
    initializer: [
      { name: 'W', dataType: DT.FLOAT, dims: [inF, outF], floatData: weights.flat() },
      { name: 'b', dataType: DT.FLOAT, dims: [outF], floatData: bias },
    ],
    input: [valueInfo('x', DT.FLOAT, [batchDim, inF])],
    output: [valueInfo('y', DT.FLOAT, [batchDim, outF])],
  });
}

/** out = input, for one datatype and shape: round-trips every element exactly. */
export function buildIdentityModel(datatype: keyof typeof ONNX_TYPES, shape: Dim[]): Uint8Array {
  const t = ONNX_TYPES[datatype];
  return encodeModel({
    name: `identity_${datatype.toLowerCase()}`,
    node: [{ opType: 'Identity', input: ['input'], output: ['output'] }],
    input: [valueInfo('input', t, shape)],
    output: [valueInfo('output', t, shape)],
  });
}

/** sum = a + b and prod = a * b over INT64 [batch, n]: exact integer answers. */
export function buildInt64ArithmeticModel(n: number): Uint8Array {
  return encodeModel({
    name: 'int64_arith',
    node: [
      { opType: 'Add', input: ['a', 'b'], output: ['sum'] },
      { opType: 'Mul', input: ['a', 'b'], output: ['prod'] },
    ],
    input: [valueInfo('a', DT.INT64, ['batch', n]), valueInfo('b', DT.INT64, ['batch', n])],
    output: [valueInfo('sum', DT.INT64, ['batch', n]), valueInfo('prod', DT.INT64, ['batch', n])],
  });
}

/** A deeper FP32 model (a chain of `layers` square MatMul+Tanh layers) whose single run takes measurable time. */
export function buildDeepMlpModel(width: number, layers: number, seed = 7): Uint8Array {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const node: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  let prev = 'x';
  for (let l = 0; l < layers; l++) {
    const w = `W${l}`;
    const weights = Float32Array.from({ length: width * width }, () => rand() * (2 / Math.sqrt(width)));
    initializer.push({ name: w, dataType: DT.FLOAT, dims: [width, width], rawData: new Uint8Array(weights.buffer) });
    node.push({ opType: 'MatMul', input: [prev, w], output: [`m${l}`] });
    const out = l === layers - 1 ? 'y' : `h${l}`;
    node.push({ opType: 'Tanh', input: [`m${l}`], output: [out] });
    prev = out;
  }
  return encodeModel({
    name: 'deep_mlp',
    node,
    initializer,
    input: [valueInfo('x', DT.FLOAT, ['batch', width])],
    output: [valueInfo('y', DT.FLOAT, ['batch', width])],
  });
}

/**
 * A small detection-style network over FP32 images [batch, 3, height, width]: a stride-2 3×3
 * convolution to `channels` channels, `depth` further 3×3 convolutions (ReLU) at half resolution,
 * a nearest ×2 upsampling back and a 1×1 convolution to 3 channels added to the image (a skip
 * connection). Like real detectors it needs even sides: an odd side comes back one larger from the
 * upsampling and the addition fails inside onnxruntime (33×33 → 17×17 → 34×34 + 33×33). Its output
 * names its dynamic dimensions differently from its input (`n`, `out_h`, `out_w`), as exported
 * models often do.
 */
export function buildConvNetModel(channels = 16, depth = 2, seed = 11): Uint8Array {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const weights = (name: string, dims: number[]): onnx.ITensorProto => {
    const n = dims.reduce((a, b) => a * b, 1);
    const fanIn = n / dims[0]!;
    const data = Float32Array.from({ length: n }, () => rand() * (2 / Math.sqrt(fanIn)));
    return { name, dataType: DT.FLOAT, dims, rawData: new Uint8Array(data.buffer) };
  };
  const conv3 = (input: string, w: string, out: string, stride: number): onnx.INodeProto => ({
    opType: 'Conv',
    input: [input, w],
    output: [out],
    attribute: [
      { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [3, 3] },
      { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] },
      { name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [stride, stride] },
    ],
  });
  const initializer: onnx.ITensorProto[] = [weights('W0', [channels, 3, 3, 3])];
  const node: onnx.INodeProto[] = [conv3('x', 'W0', 'c0', 2), { opType: 'Relu', input: ['c0'], output: ['r0'] }];
  let prev = 'r0';
  for (let l = 1; l <= depth; l++) {
    initializer.push(weights(`W${l}`, [channels, channels, 3, 3]));
    node.push(conv3(prev, `W${l}`, `c${l}`, 1), { opType: 'Relu', input: [`c${l}`], output: [`r${l}`] });
    prev = `r${l}`;
  }
  initializer.push(
    { name: 'roi', dataType: DT.FLOAT, dims: [0], floatData: [] },
    { name: 'scales', dataType: DT.FLOAT, dims: [4], floatData: [1, 1, 2, 2] },
    weights('Wout', [3, channels, 1, 1]),
  );
  node.push(
    {
      opType: 'Resize',
      input: [prev, 'roi', 'scales'],
      output: ['up'],
      attribute: [
        { name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('nearest') },
      ],
    },
    { opType: 'Conv', input: ['up', 'Wout'], output: ['proj'] },
    { opType: 'Add', input: ['proj', 'x'], output: ['y'] },
  );
  return encodeModel({
    name: 'conv_net',
    node,
    initializer,
    input: [valueInfo('x', DT.FLOAT, ['batch', 3, 'height', 'width'])],
    output: [valueInfo('y', DT.FLOAT, ['n', 3, 'out_h', 'out_w'])],
  });
}

/**
 * y = x and flat = x flattened, over FP32 x [batch, n]: `flat` [m] has a dynamic first dimension that
 * is not the batch (n values per row), as a detector's list of boxes is.
 */
export function buildFlattenModel(n: number): Uint8Array {
  return encodeModel({
    name: 'flatten',
    node: [
      { opType: 'Identity', input: ['x'], output: ['y'] },
      { opType: 'Reshape', input: ['x', 'flat_shape'], output: ['flat'] },
    ],
    initializer: [{ name: 'flat_shape', dataType: DT.INT64, dims: [1], int64Data: [-1] }],
    input: [valueInfo('x', DT.FLOAT, ['batch', n])],
    output: [valueInfo('y', DT.FLOAT, ['rows', n]), valueInfo('flat', DT.FLOAT, ['m'])],
  });
}

/**
 * mean = the per-channel mean of FP32 images x [batch, 3, size, size] (ReduceMean over height and
 * width): [batch, 3], so what a batch job feeds an image model can be checked value by value.
 */
export function buildChannelMeanModel(size: number): Uint8Array {
  return encodeModel({
    name: 'channel_mean',
    node: [
      {
        opType: 'ReduceMean',
        input: ['x'],
        output: ['mean'],
        attribute: [
          { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2, 3] },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      },
    ],
    input: [valueInfo('x', DT.FLOAT, ['batch', 3, size, size])],
    output: [valueInfo('mean', DT.FLOAT, ['batch', 3])],
  });
}

/** mean and peak (max) of FP32 audio x [batch, samples] (`samples` fixed or named dynamic): [batch, 1] each. */
export function buildAudioStatsModel(samples: Dim): Uint8Array {
  const reduce = (opType: string, output: string): onnx.INodeProto => ({
    opType,
    input: ['x'],
    output: [output],
    attribute: [
      { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
      { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
    ],
  });
  return encodeModel({
    name: 'audio_stats',
    node: [reduce('ReduceMean', 'mean'), reduce('ReduceMax', 'peak')],
    input: [valueInfo('x', DT.FLOAT, ['batch', samples])],
    output: [valueInfo('mean', DT.FLOAT, ['batch', 1]), valueInfo('peak', DT.FLOAT, ['batch', 1])],
  });
}
