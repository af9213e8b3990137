package dev.ser.flink.format;

import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * {@code 'format' = 'ser-avro'}: Flink SQL over our topics. {@code 'ser-avro.record'} names the
 * record the topic holds (EmotionEvent, CallAlert, CallSummary, DeadLetter, AudioChunk); columns are
 * its fields by name. Reading only: the job is what writes these topics.
 */
public final class SerAvroFormatFactory implements DeserializationFormatFactory {

  public static final String IDENTIFIER = "ser-avro";

  public static final ConfigOption<String> RECORD = ConfigOptions.key("record").stringType().noDefaultValue()
      .withDescription("the record type of the topic: EmotionEvent, CallAlert, CallSummary, DeadLetter or AudioChunk");

  public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS = ConfigOptions.key("ignore-parse-errors")
      .booleanType().defaultValue(false)
      .withDescription("skip records that are not a released version of the record instead of failing");

  @Override
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context,
      ReadableConfig formatOptions) {
    FactoryUtil.validateFactoryOptions(this, formatOptions);
    Class<? extends SpecificRecord> type = SerRecords.byName(formatOptions.get(RECORD));
    boolean ignore = formatOptions.get(IGNORE_PARSE_ERRORS);
    return new DecodingFormat<>() {
      @Override
      public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context ctx, DataType physical) {
        return new SerAvroDeserializationSchema(type, (RowType) physical.getLogicalType(),
            ctx.createTypeInformation(physical), ignore);
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(RECORD);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(IGNORE_PARSE_ERRORS);
  }
}
