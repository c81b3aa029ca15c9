import { onnx } from 'onnx-proto';
import type { TrainedModel } from '../training/trained-model';

/** Opset 13 runs on every onnxruntime since 1.6; IR version 7 is the one that goes with it (≤ 8 as onnx-proto supports). */
const OPSET = 13;
const IR_VERSION = 7;
/** Name of the dynamic batch dimension. */
export const BATCH_DIM = 'N';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

const ACTIVATION_OP = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' } as const;

/**
 * Builds an ONNX model equivalent to `predict(model, x)`: input `features: float[N, d]`;
 * standardization (Sub, Div) is part of the graph, then one Gemm per layer with its activation.
 * Outputs: regressors `prediction: float[N, 1]`; classifiers `probabilities: float[N, classes]` and
 * `label: int64[N]` (index into the `aic.classes` metadata entry).
 * @returns the serialized ModelProto
 */
export function exportToOnnx(
  model: TrainedModel,
  options: { modelVersion?: number; docString?: string } = {},
): Uint8Array {
  const d = model.featureNames.length;
  const initializers: onnx.ITensorProto[] = [
    floatTensor('scaler_mean', [d], model.scaler.mean),
    floatTensor('scaler_scale', [d], model.scaler.scale),
  ];
  const nodes: onnx.INodeProto[] = [
    { opType: 'Sub', input: ['features', 'scaler_mean'], output: ['centred'], name: 'standardize_centre' },
    { opType: 'Div', input: ['centred', 'scaler_scale'], output: ['standardized'], name: 'standardize_scale' },
  ];
  let current = 'standardized';
  const layers = model.network.layers;
  layers.forEach((layer, l) => {
    initializers.push(
      floatTensor(`W${l}`, [layer.inputSize, layer.outputSize], layer.weights),
      floatTensor(`B${l}`, [layer.outputSize], layer.bias),
    );
    nodes.push({ opType: 'Gemm', input: [current, `W${l}`, `B${l}`], output: [`dense${l}`], name: `dense${l}` });
    current = `dense${l}`;
    if (l + 1 < layers.length) {
      nodes.push({
        opType: ACTIVATION_OP[model.network.hiddenActivation],
        input: [current],
        output: [`hidden${l}`],
        name: `activation${l}`,
      });
      current = `hidden${l}`;
    }
  });
  const outputs: onnx.IValueInfoProto[] = [];
  if (model.task === 'regression') {
    const { mean, scale } = model.targetScaler ?? { mean: 0, scale: 1 };
    initializers.push(floatTensor('target_scale', [1], [scale]), floatTensor('target_mean', [1], [mean]));
    nodes.push(
      { opType: 'Mul', input: [current, 'target_scale'], output: ['scaled_prediction'], name: 'unstandardize_scale' },
      {
        opType: 'Add',
        input: ['scaled_prediction', 'target_mean'],
        output: ['prediction'],
        name: 'unstandardize_centre',
      },
    );
    outputs.push(valueInfo('prediction', FLOAT, [BATCH_DIM, 1]));
  } else {
    const classes = model.classes?.length ?? 2;
    if (model.network.head === 'sigmoid') {
      initializers.push(floatTensor('one', [1], [1]));
      nodes.push(
        { opType: 'Sigmoid', input: [current], output: ['positive'], name: 'sigmoid' },
        { opType: 'Sub', input: ['one', 'positive'], output: ['negative'], name: 'complement' },
        {
          opType: 'Concat',
          input: ['negative', 'positive'],
          output: ['probabilities'],
          name: 'probabilities',
          attribute: [intAttribute('axis', 1)],
        },
      );
    } else {
      nodes.push({
        opType: 'Softmax',
        input: [current],
        output: ['probabilities'],
        name: 'softmax',
        attribute: [intAttribute('axis', 1)],
      });
    }
    nodes.push({
      opType: 'ArgMax',
      input: ['probabilities'],
      output: ['label'],
      name: 'label',
      attribute: [intAttribute('axis', 1), intAttribute('keepdims', 0)],
    });
    outputs.push(valueInfo('probabilities', FLOAT, [BATCH_DIM, classes]), valueInfo('label', INT64, [BATCH_DIM]));
  }
  const metadataProps: onnx.IStringStringEntryProto[] = [
    { key: 'aic.algorithm', value: model.algorithm },
    { key: 'aic.features', value: JSON.stringify(model.featureNames) },
  ];
  if (model.classes) metadataProps.push({ key: 'aic.classes', value: JSON.stringify(model.classes) });
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'aic-models',
    producerVersion: '1',
    modelVersion: options.modelVersion ?? 1,
    docString: options.docString ?? `${model.algorithm} trained on ${model.featureNames.join(', ')}`,
    metadataProps,
    graph: {
      name: model.algorithm.toLowerCase(),
      node: nodes,
      initializer: initializers,
      input: [valueInfo('features', FLOAT, [BATCH_DIM, d])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
