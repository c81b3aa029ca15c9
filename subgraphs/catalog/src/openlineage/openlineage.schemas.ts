// The OpenLineage 2-0-2 spec and its facet schemas, copied unchanged from OpenLineage/OpenLineage (Apache-2.0).
// Imported statically so tsc copies them next to the compiled code.
import openLineageSpec from './spec/OpenLineage.json';
import BaseSubsetDatasetFacet from './spec/facets/BaseSubsetDatasetFacet.json';
import CatalogDatasetFacet from './spec/facets/CatalogDatasetFacet.json';
import ColumnLineageDatasetFacet from './spec/facets/ColumnLineageDatasetFacet.json';
import DataQualityAssertionsDatasetFacet from './spec/facets/DataQualityAssertionsDatasetFacet.json';
import DataQualityMetricsDatasetFacet from './spec/facets/DataQualityMetricsDatasetFacet.json';
import DataQualityMetricsInputDatasetFacet from './spec/facets/DataQualityMetricsInputDatasetFacet.json';
import DatasetTypeDatasetFacet from './spec/facets/DatasetTypeDatasetFacet.json';
import DatasetVersionDatasetFacet from './spec/facets/DatasetVersionDatasetFacet.json';
import DatasourceDatasetFacet from './spec/facets/DatasourceDatasetFacet.json';
import DocumentationDatasetFacet from './spec/facets/DocumentationDatasetFacet.json';
import DocumentationJobFacet from './spec/facets/DocumentationJobFacet.json';
import EnvironmentVariablesRunFacet from './spec/facets/EnvironmentVariablesRunFacet.json';
import ErrorMessageRunFacet from './spec/facets/ErrorMessageRunFacet.json';
import ExecutionParametersRunFacet from './spec/facets/ExecutionParametersRunFacet.json';
import ExternalQueryRunFacet from './spec/facets/ExternalQueryRunFacet.json';
import ExtractionErrorRunFacet from './spec/facets/ExtractionErrorRunFacet.json';
import HierarchyDatasetFacet from './spec/facets/HierarchyDatasetFacet.json';
import InputStatisticsInputDatasetFacet from './spec/facets/InputStatisticsInputDatasetFacet.json';
import JobDependenciesRunFacet from './spec/facets/JobDependenciesRunFacet.json';
import JobTypeJobFacet from './spec/facets/JobTypeJobFacet.json';
import LifecycleStateChangeDatasetFacet from './spec/facets/LifecycleStateChangeDatasetFacet.json';
import LineageFacet from './spec/facets/LineageFacet.json';
import NominalTimeRunFacet from './spec/facets/NominalTimeRunFacet.json';
import OutputStatisticsOutputDatasetFacet from './spec/facets/OutputStatisticsOutputDatasetFacet.json';
import OwnershipDatasetFacet from './spec/facets/OwnershipDatasetFacet.json';
import OwnershipJobFacet from './spec/facets/OwnershipJobFacet.json';
import ParentRunFacet from './spec/facets/ParentRunFacet.json';
import ProcessingEngineRunFacet from './spec/facets/ProcessingEngineRunFacet.json';
import SQLJobFacet from './spec/facets/SQLJobFacet.json';
import SchemaDatasetFacet from './spec/facets/SchemaDatasetFacet.json';
import SourceCodeJobFacet from './spec/facets/SourceCodeJobFacet.json';
import SourceCodeLocationJobFacet from './spec/facets/SourceCodeLocationJobFacet.json';
import StorageDatasetFacet from './spec/facets/StorageDatasetFacet.json';
import SymlinksDatasetFacet from './spec/facets/SymlinksDatasetFacet.json';
import TagsDatasetFacet from './spec/facets/TagsDatasetFacet.json';
import TagsJobFacet from './spec/facets/TagsJobFacet.json';
import TagsRunFacet from './spec/facets/TagsRunFacet.json';
import TestRunFacet from './spec/facets/TestRunFacet.json';

/** The core OpenLineage 2-0-2 event schema (JSON Schema 2020-12). */
export const OPENLINEAGE_SPEC: object = openLineageSpec;

/** Facet schemas by facet schema name (the file name in the spec repository). */
export const OPENLINEAGE_FACET_SCHEMAS: Readonly<Record<string, object>> = {
  BaseSubsetDatasetFacet,
  CatalogDatasetFacet,
  ColumnLineageDatasetFacet,
  DataQualityAssertionsDatasetFacet,
  DataQualityMetricsDatasetFacet,
  DataQualityMetricsInputDatasetFacet,
  DatasetTypeDatasetFacet,
  DatasetVersionDatasetFacet,
  DatasourceDatasetFacet,
  DocumentationDatasetFacet,
  DocumentationJobFacet,
  EnvironmentVariablesRunFacet,
  ErrorMessageRunFacet,
  ExecutionParametersRunFacet,
  ExternalQueryRunFacet,
  ExtractionErrorRunFacet,
  HierarchyDatasetFacet,
  InputStatisticsInputDatasetFacet,
  JobDependenciesRunFacet,
  JobTypeJobFacet,
  LifecycleStateChangeDatasetFacet,
  LineageFacet,
  NominalTimeRunFacet,
  OutputStatisticsOutputDatasetFacet,
  OwnershipDatasetFacet,
  OwnershipJobFacet,
  ParentRunFacet,
  ProcessingEngineRunFacet,
  SQLJobFacet,
  SchemaDatasetFacet,
  SourceCodeJobFacet,
  SourceCodeLocationJobFacet,
  StorageDatasetFacet,
  SymlinksDatasetFacet,
  TagsDatasetFacet,
  TagsJobFacet,
  TagsRunFacet,
  TestRunFacet,
};
