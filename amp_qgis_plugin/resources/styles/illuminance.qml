<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis hasScaleBasedVisibilityFlag="0" styleCategories="AllStyleCategories" minScale="1e+08" maxScale="0" version="3.22.16-Białowieża">
  <flags>
    <Identifiable>1</Identifiable>
    <Removable>1</Removable>
    <Searchable>1</Searchable>
    <Private>0</Private>
  </flags>
  <temporal fetchMode="0" enabled="0" mode="0">
    <fixedRange>
      <start></start>
      <end></end>
    </fixedRange>
  </temporal>
  <customproperties>
    <Option type="Map">
      <Option name="identify/format" type="QString" value="Value"/>
    </Option>
  </customproperties>
  <pipe-data-defined-properties>
    <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
    </Option>
  </pipe-data-defined-properties>
  <pipe>
    <provider>
      <resampling zoomedOutResamplingMethod="nearestNeighbour" zoomedInResamplingMethod="nearestNeighbour" enabled="false" maxOversampling="2"/>
    </provider>
    <rasterrenderer classificationMin="0" classificationMax="50" alphaBand="-1" nodataColor="" opacity="0.85" type="singlebandpseudocolor" band="1">
      <minMaxOrigin>
        <limits>None</limits>
        <extent>WholeRaster</extent>
        <statAccuracy>Estimated</statAccuracy>
        <cumulativeCutLower>0.02</cumulativeCutLower>
        <cumulativeCutUpper>0.98</cumulativeCutUpper>
        <stdDevFactor>2</stdDevFactor>
      </minMaxOrigin>
      <rastershader>
        <colorrampshader classificationMode="1" minimumValue="0" maximumValue="50" labelPrecision="6" clip="0" colorRampType="DISCRETE">
          <item alpha="255" color="#06061a" label="&lt; 0.4 lx (below P6 E min)" value="0.4"/>
          <item alpha="255" color="#2d1b5e" label="0.4 - 1 lx (dark: below P4 E min)" value="1"/>
          <item alpha="255" color="#6a2c82" label="1 - 2 lx (below reassurance E min 2 lx)" value="2"/>
          <item alpha="255" color="#b53c6e" label="2 - 5 lx (P6 - P4 average)" value="5"/>
          <item alpha="255" color="#e8664a" label="5 - 10 lx (P4 - P2 average)" value="10"/>
          <item alpha="255" color="#f9a53b" label="10 - 15 lx (P2 - P1 average; about 10 lx optimum)" value="15"/>
          <item alpha="255" color="#fcd96b" label="15 - 30 lx" value="30"/>
          <item alpha="255" color="#fffbe0" label="> 30 lx (close to daylight perception)" value="inf"/>
          <rampLegendSettings useContinuousLegend="1" suffix="" prefix="" orientation="2" direction="0" minimumLabel="" maximumLabel="">
            <numericFormat id="basic">
              <Option type="Map">
                <Option name="decimal_separator" type="QChar" value=""/>
                <Option name="decimals" type="int" value="6"/>
                <Option name="rounding_type" type="int" value="0"/>
                <Option name="show_plus" type="bool" value="false"/>
                <Option name="show_thousand_separator" type="bool" value="true"/>
                <Option name="show_trailing_zeros" type="bool" value="false"/>
                <Option name="thousand_separator" type="QChar" value=""/>
              </Option>
            </numericFormat>
          </rampLegendSettings>
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
    <brightnesscontrast contrast="0" brightness="0" gamma="1"/>
    <huesaturation grayscaleMode="0" colorizeOn="0" colorizeGreen="128" colorizeStrength="100" colorizeBlue="128" colorizeRed="255" saturation="0" invertColors="0"/>
    <rasterresampler maxOversampling="2"/>
    <resamplingStage>resamplingFilter</resamplingStage>
  </pipe>
  <blendMode>0</blendMode>
</qgis>
